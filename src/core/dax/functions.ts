// Why a DAX function has no semantic-view equivalent, one data table per family. A semantic-view
// metric is an aggregate over the rows the query selects (its WHERE and its dimensions); it cannot
// move to other periods, drop or override the query's filters, choose another join path, or look at
// which filters are set. Functions the translator handles are not listed here (see translate docs:
// docs/dax-to-sql.md).
import type { UntranslatedCause } from './context.js';

interface Family {
  cause: UntranslatedCause;
  names: string;
  why: (fn: string) => string;
}

const FAMILIES: Family[] = [
  {
    cause: 'time-intelligence',
    names: `TOTALYTD TOTALQTD TOTALMTD TOTALWTD DATESYTD DATESQTD DATESMTD DATESWTD SAMEPERIODLASTYEAR DATEADD
      PARALLELPERIOD PREVIOUSDAY PREVIOUSWEEK PREVIOUSMONTH PREVIOUSQUARTER PREVIOUSYEAR NEXTDAY NEXTWEEK NEXTMONTH
      NEXTQUARTER NEXTYEAR DATESBETWEEN DATESINPERIOD FIRSTDATE LASTDATE STARTOFMONTH STARTOFQUARTER STARTOFYEAR
      STARTOFWEEK ENDOFMONTH ENDOFQUARTER ENDOFYEAR ENDOFWEEK OPENINGBALANCEMONTH OPENINGBALANCEQUARTER
      OPENINGBALANCEYEAR OPENINGBALANCEWEEK CLOSINGBALANCEMONTH CLOSINGBALANCEQUARTER CLOSINGBALANCEYEAR
      CLOSINGBALANCEWEEK FIRSTNONBLANK LASTNONBLANK FIRSTNONBLANKVALUE LASTNONBLANKVALUE`,
    why: (fn) => `time intelligence (${fn}) evaluates other periods of a date table; a semantic-view metric only sees the rows the query selects`,
  },
  {
    cause: 'filter-removal',
    names: 'ALL ALLEXCEPT ALLNOBLANKROW ALLSELECTED REMOVEFILTERS ALLCROSSFILTERED',
    why: (fn) => `${fn} removes filters of the query; a semantic-view metric always aggregates within the query's filters`,
  },
  {
    cause: 'relationship-override',
    names: 'USERELATIONSHIP CROSSFILTER TREATAS',
    why: (fn) => `${fn} changes how filters travel between tables; a semantic view has one fixed join path per relationship`,
  },
  {
    cause: 'filter-inspection',
    names: `SELECTEDVALUE HASONEVALUE HASONEFILTER ISFILTERED ISCROSSFILTERED ISINSCOPE VALUES DISTINCT FILTERS
      SELECTEDMEASURE SELECTEDMEASURENAME SELECTEDMEASUREFORMATSTRING ISSELECTEDMEASURE USERPRINCIPALNAME USERNAME
      USEROBJECTID CUSTOMDATA NAMEOF`,
    why: (fn) => `${fn} inspects the filter context or the user, which a semantic-view metric cannot see`,
  },
  {
    cause: 'related-table',
    names: 'RELATED RELATEDTABLE',
    why: (fn) => `${fn} follows a relationship from inside an iterator; iterators over related tables are not translated`,
  },
  {
    cause: 'context-transition',
    names: 'EARLIER EARLIEST',
    why: (fn) => `${fn} reads an outer row context, which has no SQL aggregate equivalent`,
  },
  {
    cause: 'table-expression',
    names: `CALCULATETABLE SUMMARIZE SUMMARIZECOLUMNS ADDCOLUMNS SELECTCOLUMNS GROUPBY TOPN GENERATE GENERATEALL
      CROSSJOIN UNION INTERSECT EXCEPT NATURALINNERJOIN NATURALLEFTOUTERJOIN DATATABLE ROW GENERATESERIES CALENDAR
      CALENDARAUTO SUBSTITUTEWITHINDEX DETAILROWS`,
    why: (fn) => `${fn} builds a table, which a metric cannot hold or iterate`,
  },
  {
    cause: 'unsupported-function',
    names: `RANKX RANK ROWNUMBER WINDOW OFFSET INDEX ORDERBY PARTITIONBY MATCHBY PERCENTILE.INC PERCENTILE.EXC
      PERCENTILEX.INC PERCENTILEX.EXC MEDIAN MEDIANX PRODUCT PRODUCTX GEOMEAN GEOMEANX STDEV.S STDEV.P STDEVX.S STDEVX.P
      VAR.S VAR.P VARX.S VARX.P CONCATENATEX COUNTBLANK FORMAT ROUND ROUNDUP ROUNDDOWN MROUND INT TRUNC CEILING FLOOR
      ABS SIGN SQRT EXP LN LOG LOG10 MOD QUOTIENT IFERROR ISERROR ISNUMBER ISTEXT ISLOGICAL ISNONTEXT ISEVEN ISODD
      ISEMPTY CONTAINS CONTAINSROW CONTAINSSTRING CONTAINSSTRINGEXACT SEARCH FIND LEFT RIGHT MID LEN UPPER LOWER
      TRIM SUBSTITUTE REPLACE REPT CONCATENATE VALUE FIXED UNICHAR UNICODE EXACT TODAY NOW UTCNOW UTCTODAY
       TIME YEAR MONTH DAY HOUR MINUTE SECOND WEEKDAY WEEKNUM EOMONTH EDATE DATEDIFF DATEVALUE TIMEVALUE
      YEARFRAC CONVERT CURRENCY LOOKUPVALUE PATH PATHITEM PATHLENGTH PATHCONTAINS PATHITEMREVERSE USERCULTURE
      MINA MAXA AVERAGEA ERROR EVALUATEANDLOG
      APPROXIMATEDISTINCTCOUNT PI RAND RANDBETWEEN `,
    why: (fn) => `${fn} is not translated`,
  },
];

const TABLE = new Map<string, { cause: UntranslatedCause; why: string }>();
for (const f of FAMILIES) {
  for (const name of f.names.split(/\s+/).filter(Boolean)) TABLE.set(name, { cause: f.cause, why: f.why(name) });
}

/** Why a function cannot be translated, or undefined when it is not a known DAX function. */
export function untranslatableFunction(name: string): { cause: UntranslatedCause; why: string } | undefined {
  return TABLE.get(name.toUpperCase());
}

/** Functions that return tables: a VAR holding one is a table variable. */
export const TABLE_FUNCTIONS: ReadonlySet<string> = new Set(
  `FILTER ALL ALLEXCEPT ALLNOBLANKROW ALLSELECTED ALLCROSSFILTERED VALUES DISTINCT FILTERS RELATEDTABLE
   CALCULATETABLE SUMMARIZE SUMMARIZECOLUMNS ADDCOLUMNS SELECTCOLUMNS GROUPBY TOPN GENERATE GENERATEALL CROSSJOIN
   UNION INTERSECT EXCEPT NATURALINNERJOIN NATURALLEFTOUTERJOIN DATATABLE ROW GENERATESERIES CALENDAR CALENDARAUTO
   DATESYTD DATESQTD DATESMTD DATESWTD SAMEPERIODLASTYEAR DATEADD PARALLELPERIOD PREVIOUSDAY PREVIOUSWEEK
   PREVIOUSMONTH PREVIOUSQUARTER PREVIOUSYEAR NEXTDAY NEXTWEEK NEXTMONTH NEXTQUARTER NEXTYEAR DATESBETWEEN
   DATESINPERIOD FIRSTDATE LASTDATE STARTOFMONTH STARTOFQUARTER STARTOFYEAR ENDOFMONTH ENDOFQUARTER ENDOFYEAR
   TREATAS KEEPFILTERS WINDOW OFFSET INDEX`
    .split(/\s+/)
    .filter(Boolean),
);
