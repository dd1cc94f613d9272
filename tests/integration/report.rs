//! Integration tests for the report stage.
