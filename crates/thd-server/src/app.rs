//! What every request handler shares: the store, the server's settings, the cache of decoded deliveries and the
//! upload jobs.

use std::path::PathBuf;
use std::sync::Arc;

use thd_plan::{CostModel, PhaseMap, RolloutPlan};
use thd_store::Store;

use crate::cache::DeliveryCache;
use crate::jobs::Jobs;

/// The project data the planning endpoints answer with.
#[derive(Debug)]
pub struct Planning {
    /// Which phase, tranche and contractor each zone belongs to.
    pub phases: PhaseMap,
    /// Unit prices and phase-level costs.
    pub costs: CostModel,
    /// Planned raccordable plugs per phase and year.
    pub plan: RolloutPlan,
}

impl Default for Planning {
    fn default() -> Self {
        Planning {
            phases: PhaseMap::default(),
            costs: CostModel::builtin(),
            plan: RolloutPlan::builtin(),
        }
    }
}

/// How the server behaves.
#[derive(Debug)]
pub struct Settings {
    /// The largest upload accepted, in bytes.
    pub upload_limit: u64,
    /// The most bytes an uploaded zip may inflate to; an archive going past it is refused.
    pub unpack_limit: u64,
    /// Where uploads are streamed to before they are read (each in a folder of its own, removed afterwards).
    pub upload_dir: PathBuf,
    /// How many decoded deliveries stay in memory for the map and the figures.
    pub cached_deliveries: usize,
    /// The operator's configuration of the checks run on uploads.
    pub checks: thd_check::Config,
    pub planning: Planning,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            upload_limit: 512 * 1024 * 1024,
            unpack_limit: 4 * 1024 * 1024 * 1024,
            upload_dir: std::env::temp_dir(),
            cached_deliveries: 8,
            checks: thd_check::Config::default(),
            planning: Planning::default(),
        }
    }
}

/// The state of the server, cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct App(Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub store: Store,
    pub settings: Settings,
    pub deliveries: DeliveryCache,
    pub jobs: Jobs,
}

impl App {
    pub fn new(store: Store, settings: Settings) -> Self {
        let deliveries = DeliveryCache::new(settings.cached_deliveries);
        App(Arc::new(Inner {
            store,
            settings,
            deliveries,
            jobs: Jobs::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }
}
