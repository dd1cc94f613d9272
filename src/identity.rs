//! Identity: which addresses are one person. (Filled in by the classification work.)
