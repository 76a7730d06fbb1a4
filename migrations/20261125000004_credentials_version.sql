-- Counts password changes. A browser session remembers the count it signed in under, so a
-- password change or reset ends every other session of the account.
ALTER TABLE users ADD COLUMN credentials_version integer NOT NULL DEFAULT 1;
