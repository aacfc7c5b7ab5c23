// Snowflake-shaped INFORMATION_SCHEMA views over DuckDB's catalog functions, so code that inspects
// existing tables (e.g. additive --create-tables, issue 5 item 3) sees Snowflake's column names and
// type spellings (NUMBER, TEXT, TIMESTAMP_NTZ, VARIANT, FLOAT) rather than DuckDB's. The translator
// rewrites `[db.]INFORMATION_SCHEMA.<view>` to these per-session table macros. Temporary tables
// show up in the current schema, as in Snowflake.

const SNOWFLAKE_TYPE = `CASE
    WHEN c.data_type LIKE 'DECIMAL%' OR c.data_type IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 'NUMBER'
    WHEN c.data_type = 'VARCHAR' THEN 'TEXT'
    WHEN c.data_type = 'JSON' THEN 'VARIANT'
    WHEN c.data_type = 'TIMESTAMP' THEN 'TIMESTAMP_NTZ'
    WHEN c.data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_LTZ'
    WHEN c.data_type IN ('DOUBLE', 'FLOAT') THEN 'FLOAT'
    WHEN c.data_type = 'BLOB' THEN 'BINARY'
    ELSE c.data_type END`;

const IS_INT = `c.data_type IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT')`;

export const INFORMATION_SCHEMA_MACROS = [
  `CREATE OR REPLACE TEMP MACRO SF_IS_COLUMNS(db) AS TABLE
  SELECT CASE WHEN c.database_name = 'temp' THEN current_database() ELSE c.database_name END AS "TABLE_CATALOG",
    CASE WHEN c.database_name = 'temp' THEN current_schema() ELSE c.schema_name END AS "TABLE_SCHEMA",
    c.table_name AS "TABLE_NAME", c.column_name AS "COLUMN_NAME", c.column_index AS "ORDINAL_POSITION",
    c.column_default AS "COLUMN_DEFAULT", CASE WHEN c.is_nullable THEN 'YES' ELSE 'NO' END AS "IS_NULLABLE",
    ${SNOWFLAKE_TYPE} AS "DATA_TYPE",
    CASE WHEN c.data_type = 'VARCHAR' THEN COALESCE(k.len, 16777216) END AS "CHARACTER_MAXIMUM_LENGTH",
    CASE WHEN c.data_type LIKE 'DECIMAL%' THEN c.numeric_precision WHEN ${IS_INT} THEN 38 END AS "NUMERIC_PRECISION",
    CASE WHEN c.data_type LIKE 'DECIMAL%' THEN c.numeric_scale WHEN ${IS_INT} THEN 0 END AS "NUMERIC_SCALE",
    c.comment AS "COMMENT"
  FROM duckdb_columns() c
  LEFT JOIN (SELECT database_name, schema_name, table_name, unnest(constraint_column_names) AS col,
      TRY_CAST(regexp_extract(expression, '<= (\\d+)', 1) AS BIGINT) AS len
    FROM duckdb_constraints() WHERE constraint_type = 'CHECK' AND expression LIKE '%length(%') k
    ON k.database_name = c.database_name AND k.schema_name = c.schema_name AND k.table_name = c.table_name AND k.col = c.column_name
  WHERE (c.database_name = db OR (c.database_name = 'temp' AND db = current_database())) AND NOT c.internal`,
  `CREATE OR REPLACE TEMP MACRO SF_IS_TABLES(db) AS TABLE
  SELECT CASE WHEN database_name = 'temp' THEN current_database() ELSE database_name END AS "TABLE_CATALOG",
    CASE WHEN database_name = 'temp' THEN current_schema() ELSE schema_name END AS "TABLE_SCHEMA",
    table_name AS "TABLE_NAME", CASE WHEN temporary THEN 'TEMPORARY TABLE' ELSE 'BASE TABLE' END AS "TABLE_TYPE",
    estimated_size AS "ROW_COUNT", comment AS "COMMENT"
  FROM duckdb_tables() WHERE (database_name = db OR (database_name = 'temp' AND db = current_database())) AND NOT internal
  UNION ALL
  SELECT database_name, schema_name, view_name, 'VIEW', NULL, comment
  FROM duckdb_views() WHERE database_name = db AND NOT internal`,
  `CREATE OR REPLACE TEMP MACRO SF_IS_SCHEMATA(db) AS TABLE
  SELECT database_name AS "CATALOG_NAME", schema_name AS "SCHEMA_NAME", comment AS "COMMENT"
  FROM duckdb_schemas() WHERE database_name = db AND NOT internal`,
];
