-- One database and one login role per service (PostgreSQL 16 container, first start only).
--
-- Each role owns its own database, so its Alembic migrations can create tables in the database's
-- public schema, and has no access to the other services' databases. Passwords come from the
-- container environment (deploy/secrets/postgres.env), never from this file:
--   PARCEL_REGISTRY_DB_PASSWORD, EVALUATION_DB_PASSWORD, CREDIT_LEDGER_DB_PASSWORD,
--   ENFORCEMENT_DB_PASSWORD
-- The postgres image runs this with ON_ERROR_STOP, as the superuser, on the `postgres` database;
-- a missing or empty password stops the initialisation with an error.
--
-- The services also look their database up in `pg_database` through the `postgres` database at
-- start (servicekit creates a missing database in development); keep CONNECT on `postgres`
-- granted to PUBLIC, as it is by default.
\set ON_ERROR_STOP on

\getenv parcel_registry_password PARCEL_REGISTRY_DB_PASSWORD
\getenv evaluation_password EVALUATION_DB_PASSWORD
\getenv credit_ledger_password CREDIT_LEDGER_DB_PASSWORD
\getenv enforcement_password ENFORCEMENT_DB_PASSWORD

\if :{?parcel_registry_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'PARCEL_REGISTRY_DB_PASSWORD is not set'; END $$;
\endif
\if :{?evaluation_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'EVALUATION_DB_PASSWORD is not set'; END $$;
\endif
\if :{?credit_ledger_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'CREDIT_LEDGER_DB_PASSWORD is not set'; END $$;
\endif
\if :{?enforcement_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'ENFORCEMENT_DB_PASSWORD is not set'; END $$;
\endif

SELECT :'parcel_registry_password' = '' OR :'evaluation_password' = ''
       OR :'credit_ledger_password' = '' OR :'enforcement_password' = '' AS some_password_empty \gset
\if :some_password_empty
  DO $$ BEGIN RAISE EXCEPTION 'a service database password in postgres.env is empty'; END $$;
\endif

SET password_encryption = 'scram-sha-256';

CREATE ROLE parcel_registry LOGIN PASSWORD :'parcel_registry_password';
CREATE DATABASE parcel_registry OWNER parcel_registry ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE parcel_registry FROM PUBLIC;

CREATE ROLE evaluation LOGIN PASSWORD :'evaluation_password';
CREATE DATABASE evaluation OWNER evaluation ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE evaluation FROM PUBLIC;

CREATE ROLE credit_ledger LOGIN PASSWORD :'credit_ledger_password';
CREATE DATABASE credit_ledger OWNER credit_ledger ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE credit_ledger FROM PUBLIC;

CREATE ROLE enforcement LOGIN PASSWORD :'enforcement_password';
CREATE DATABASE enforcement OWNER enforcement ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE enforcement FROM PUBLIC;

\unset parcel_registry_password
\unset evaluation_password
\unset credit_ledger_password
\unset enforcement_password
