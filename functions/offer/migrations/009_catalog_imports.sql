-- Catalog imports from CSV: a job per file staff import, and its checked rows until the job has
-- applied them. The job's counts and position move in the same transaction as each chunk of
-- rows it applies, so an instance that stops mid-job leaves it where the next one takes it up.
CREATE TABLE offer.catalog_import (
  id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'done')),
  file_name text,
  total_rows integer NOT NULL CHECK (total_rows >= 0),
  processed_rows integer NOT NULL DEFAULT 0 CHECK (processed_rows >= 0),
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  unchanged_count integer NOT NULL DEFAULT 0,
  failed_count integer NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]',
  created_by text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX catalog_import_unfinished_idx ON offer.catalog_import (created_at, id)
  WHERE status <> 'done';

CREATE TABLE offer.catalog_import_row (
  import_id uuid NOT NULL REFERENCES offer.catalog_import (id) ON DELETE CASCADE,
  position integer NOT NULL,
  line integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (import_id, position)
);
