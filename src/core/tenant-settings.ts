// Fabric tenant settings named in hints, README and validate, in one place. In
// 2025 "Service principals can use Fabric APIs" was split in two
// (https://learn.microsoft.com/fabric/admin/service-admin-portal-developer):
// - "Service principals can call Fabric public APIs": CRUD APIs protected by the Fabric permission
//   model (workspace roles) — everything fabric-sync calls outside the admin scanner;
// - "Service principals can create workspaces, connections, and deployment pipelines": APIs outside
//   that model — fabric-sync needs none of them.
// Tenants not yet migrated still show the old name, so hints give both.

export const PUBLIC_APIS = 'Service principals can call Fabric public APIs';
export const PUBLIC_APIS_BEFORE_2025 = 'Service principals can use Fabric APIs';
export const READ_ONLY_ADMIN_APIS = 'Service principals can access read-only admin APIs';
export const DETAILED_METADATA = 'Enhance admin APIs responses with detailed metadata';
export const DAX_AND_MASHUP = 'Enhance admin APIs responses with DAX and mashup expressions';

/** `the tenant setting "…" (Developer settings; called "…" before 2025)`, for hints. */
export const PUBLIC_APIS_SETTING = `the tenant setting "${PUBLIC_APIS}" (Developer settings; called "${PUBLIC_APIS_BEFORE_2025}" in tenants not yet migrated)`;

/**
 * What the admin scanner APIs need of a service principal: the read-only admin APIs setting, and an
 * app registration without Power BI permissions that require admin consent — with one, the service
 * refuses the call (https://learn.microsoft.com/fabric/governance/metadata-scanning-overview,
 * https://learn.microsoft.com/fabric/admin/enable-service-principal-admin-apis).
 */
export const SCANNER_HINT =
  `Enable the tenant setting "${READ_ONLY_ADMIN_APIS}" for a security group containing the service principal ` +
  `(and "${DETAILED_METADATA}" for schemas), and make sure the app registration has no Power BI API permissions ` +
  'that require admin consent (Entra ID → App registrations → API permissions); or set monitor.detection to listing.';
