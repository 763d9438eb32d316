//! GraceTHD versions the engine understands.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A version of the GraceTHD exchange model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GraceVersion {
    /// GraceTHD-MCD v2.0.1: ducts (`t_conduite`), end-user sites (`t_suf`), technical sites (`t_sitetech`).
    #[serde(rename = "2.0.1")]
    V2_0_1,
    /// GraceTHD v3 (3.0 / 3.0.1): `t_site`, `t_local`, cables directly in paths (`t_cab_chem`), trenches.
    #[serde(rename = "3")]
    V3,
}

impl GraceVersion {
    pub const ALL: [GraceVersion; 2] = [Self::V2_0_1, Self::V3];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_0_1 => "2.0.1",
            Self::V3 => "3",
        }
    }
}

impl fmt::Display for GraceVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GraceTHD v{}", self.as_str())
    }
}
