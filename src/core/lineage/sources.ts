// Power Query data-source functions that are not Snowflake, with a readable name for the reason a
// table gets no Snowflake source. Function names as listed in the Power Query M function reference
// (https://learn.microsoft.com/powerquery-m/accessing-data-functions) and the connector pages
// (https://learn.microsoft.com/power-query/connectors/).

const FOREIGN_SOURCES: Readonly<Record<string, string>> = {
  'Sql.Database': 'SQL Server / Azure SQL',
  'Sql.Databases': 'SQL Server / Azure SQL',
  'Excel.Workbook': 'an Excel workbook',
  'Excel.CurrentWorkbook': 'an Excel workbook',
  'Csv.Document': 'a CSV file',
  'File.Contents': 'a file',
  'Folder.Files': 'a folder',
  'Folder.Contents': 'a folder',
  'SharePoint.Files': 'SharePoint',
  'SharePoint.Contents': 'SharePoint',
  'SharePoint.Tables': 'SharePoint',
  'Web.Contents': 'a web request',
  'Web.Page': 'a web page',
  'OData.Feed': 'an OData feed',
  'Json.Document': 'a JSON document',
  'Xml.Tables': 'an XML document',
  'Xml.Document': 'an XML document',
  'Lakehouse.Contents': 'a Fabric Lakehouse',
  'Fabric.Warehouse': 'a Fabric Warehouse',
  'PowerPlatform.Dataflows': 'a dataflow',
  'PowerBI.Dataflows': 'a dataflow',
  'AnalysisServices.Database': 'Analysis Services',
  'AnalysisServices.Databases': 'Analysis Services',
  'AzureDataExplorer.Contents': 'Azure Data Explorer (Kusto)',
  'AzureDataExplorer.Databases': 'Azure Data Explorer (Kusto)',
  'Kusto.Contents': 'Azure Data Explorer (Kusto)',
  'Kusto.Databases': 'Azure Data Explorer (Kusto)',
  'Oracle.Database': 'Oracle',
  'PostgreSQL.Database': 'PostgreSQL',
  'MySQL.Database': 'MySQL',
  'Teradata.Database': 'Teradata',
  'AmazonRedshift.Database': 'Amazon Redshift',
  'GoogleBigQuery.Database': 'Google BigQuery',
  'Databricks.Catalogs': 'Databricks',
  'DatabricksMultiCloud.Catalogs': 'Databricks',
  'Odbc.DataSource': 'an ODBC data source',
  'Odbc.Query': 'an ODBC data source',
  'OleDb.DataSource': 'an OLE DB data source',
  'OleDb.Query': 'an OLE DB data source',
  'Access.Database': 'an Access database',
  'AzureStorage.Blobs': 'Azure Blob Storage',
  'AzureStorage.DataLake': 'Azure Data Lake Storage',
  'AzureStorage.Tables': 'Azure Table Storage',
  'Salesforce.Data': 'Salesforce',
  'Salesforce.Reports': 'Salesforce',
  'Table.FromRows': 'rows entered in or built by M itself',
  'Table.FromRecords': 'rows entered in or built by M itself',
  'Table.FromList': 'rows built by M itself',
  'Table.FromColumns': 'rows built by M itself',
  'Table.FromValue': 'rows built by M itself',
  '#table': 'rows entered in M itself',
};

// Other connectors follow the same naming (`X.Database`, `X.Contents`, `X.Feed`, …).
const SOURCE_SUFFIX = /\.(Database|Databases|Contents|DataSource|Feed|Files|Workbook|Query|Catalogs|Tables|Document|Data)$/;

/** The readable name of a non-Snowflake source function, or undefined when `name` is not a source. */
export function foreignSource(name: string): string | undefined {
  const known = FOREIGN_SOURCES[name];
  if (known) return known;
  if (name.startsWith('Snowflake.')) return undefined;
  return SOURCE_SUFFIX.test(name) ? name : undefined;
}
