//! Check-in responses in the store. (Filled in by the classification work.)
