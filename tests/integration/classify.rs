//! Integration tests for the classify stage.
