//! Integration tests for the ingest stage.
