-- Auth (issue 5): why a refresh token was revoked (rotated, logout, reuse_detected,
-- account_inactive), for audits; and lookups of a family's live tokens.
ALTER TABLE refresh_tokens ADD COLUMN IF NOT EXISTS revoked_reason text;
CREATE INDEX IF NOT EXISTS refresh_tokens_family_live ON refresh_tokens (family_id) WHERE revoked_at IS NULL;
