//! Roster snapshots in the store. (Filled in by the classification work.)
