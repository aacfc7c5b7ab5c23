// The Power BI `CreateDatasetRequest` body (the definitions CreateDatasetRequest, Table, Column, Measure,
// Relationship of Microsoft's Power BI Swagger; docs/fabric-rest.md#push-datasets), restricted to what
// push datasets use.
import type { PushDataType } from '../../schema/tom-types.js';

export interface PushColumn {
  name: string;
  dataType: PushDataType;
  formatString?: string;
  sortByColumn?: string;
  dataCategory?: string;
  isHidden?: boolean;
  summarizeBy?: string;
}

export interface PushMeasure {
  name: string;
  expression: string;
  formatString?: string;
  description?: string;
  isHidden?: boolean;
}

export interface PushTable {
  name: string;
  columns: PushColumn[];
  measures?: PushMeasure[];
  isHidden?: boolean;
  description?: string;
}

export type PushCrossFiltering = 'OneDirection' | 'BothDirections' | 'Automatic';

export interface PushRelationship {
  name: string;
  fromTable: string;
  fromColumn: string;
  toTable: string;
  toColumn: string;
  crossFilteringBehavior?: PushCrossFiltering;
}

export interface CreateDatasetRequest {
  name: string;
  defaultMode: 'Push';
  tables: PushTable[];
  relationships?: PushRelationship[];
}

/** Documented push limits (docs/fabric-rest.md#push-datasets). */
export const PUSH_LIMITS = { tables: 75, columnsPerTable: 75, relationships: 75 } as const;
