//! What every request handler shares: the store, the server's settings, the cache of decoded deliveries and the
//! upload jobs, and the digital-services catalogue.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thd_access::{AccessError, AccessStore, OrgId};
use thd_plan::{CostModel, PhaseMap, RolloutPlan};
use thd_services::{Catalogue, ServicesError, ServicesStore};
use thd_store::{Store, StoreError};
use thd_sync::{SyncError, SyncStore};

use crate::cache::DeliveryCache;
use crate::error::ApiError;
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
    /// Serve the read-only API to callers without a token (a public dashboard); writes still need one.
    pub public_read: bool,
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
            public_read: false,
        }
    }
}

/// The state of the server, cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct App(Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub store: Store,
    pub access: AccessStore,
    pub sync: SyncStore,
    pub services: ServicesStore,
    /// The catalogue as last read, and when.
    catalogue: Mutex<Option<(Instant, Arc<Catalogue>)>>,
    /// Acceptance writes made through this server, so cached zone acceptances know they are stale.
    sync_writes: AtomicU64,
    /// The zone of each delivery asked about: a delivery never changes, so neither does its zone.
    zones: Mutex<HashMap<i64, Option<String>>>,
    /// Organisation names by id, for the audit trail of every sync write: names are never changed.
    organisations: Mutex<HashMap<OrgId, String>>,
    pub settings: Settings,
    pub deliveries: DeliveryCache,
    pub jobs: Jobs,
}

/// Why the server's databases could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Services(#[from] ServicesError),
}

impl App {
    /// Opens the store at `location` and the access, acceptance and services tables beside it (the store
    /// first, which a new SQLite file needs: the store refuses a file that already holds other tables). A store
    /// without services gets the shipped catalogue.
    pub async fn open(location: &str, settings: Settings) -> Result<Self, OpenError> {
        let store = Store::open(location).await?;
        let access = AccessStore::open(location).await?;
        let sync = SyncStore::open(location).await?;
        let services = ServicesStore::open(location).await?;
        services.seed_shipped_if_empty().await?;
        Ok(Self::new(store, access, sync, services, settings))
    }

    pub fn new(
        store: Store,
        access: AccessStore,
        sync: SyncStore,
        services: ServicesStore,
        settings: Settings,
    ) -> Self {
        let deliveries = DeliveryCache::new(settings.cached_deliveries);
        App(Arc::new(Inner {
            store,
            access,
            sync,
            services,
            catalogue: Mutex::default(),
            sync_writes: AtomicU64::new(0),
            zones: Mutex::default(),
            organisations: Mutex::default(),
            settings,
            deliveries,
            jobs: Jobs::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn access(&self) -> &AccessStore {
        &self.0.access
    }

    pub fn sync(&self) -> &SyncStore {
        &self.0.sync
    }

    /// Loads the newest delivery — the one the dashboard opens on — into the cache of decoded deliveries, and
    /// says which and how long it took (`None` for an empty store). Run at start-up beside the listener when asked
    /// (`thd serve --preload`), so that the first visitor after a restart does not wait for the delivery to be
    /// read and decoded; a request for it meanwhile waits for this same load rather than starting another.
    pub async fn warm(&self) -> Result<Option<(i64, Duration)>, ApiError> {
        let Some(newest) = self.0.store.deliveries().await?.iter().map(|d| d.id).max() else {
            return Ok(None);
        };
        let started = Instant::now();
        self.0.deliveries.get(&self.0.store, newest).await?;
        Ok(Some((newest, started.elapsed())))
    }

    /// The digital-services catalogue, read from the store at most once a [`CATALOGUE_FRESH`] period: it is
    /// small, changes only on a `thd services import`, and every services request needs all of it.
    pub(crate) async fn catalogue(&self) -> Result<Arc<Catalogue>, ApiError> {
        let known = self
            .0
            .catalogue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(read, _)| read.elapsed() < CATALOGUE_FRESH)
            .map(|(_, catalogue)| Arc::clone(catalogue));
        if let Some(catalogue) = known {
            return Ok(catalogue);
        }
        let read = Instant::now();
        let catalogue = Arc::new(self.0.services.catalogue().await?);
        *self.0.catalogue.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((read, Arc::clone(&catalogue)));
        Ok(catalogue)
    }

    /// How many acceptance writes went through this server.
    pub(crate) fn sync_writes(&self) -> u64 {
        self.0.sync_writes.load(Ordering::Acquire)
    }

    /// Counts an acceptance write (after it is committed).
    pub(crate) fn synced(&self) {
        self.0.sync_writes.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }

    /// The name of organisation `org`, read from the access tables the first time it is asked.
    pub(crate) async fn organisation_name(&self, org: OrgId) -> Result<String, ApiError> {
        let known = self
            .0
            .organisations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&org)
            .cloned();
        if let Some(name) = known {
            return Ok(name);
        }
        let all = self.0.access.organisations().await?;
        let mut names = self
            .0
            .organisations
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        names.extend(all.into_iter().map(|o| (o.id, o.name)));
        names.get(&org).cloned().ok_or_else(|| {
            ApiError::internal(format!("organisation {org:?} of a valid token is gone"))
        })
    }

    /// The zone of delivery `id` (`None` when it was given none); `NoDelivery` when there is no such delivery.
    pub(crate) async fn zone_of(&self, id: i64) -> Result<Option<String>, StoreError> {
        let known = self
            .0
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned();
        if let Some(zone) = known {
            return Ok(zone);
        }
        let zone = self.0.store.delivery(id).await?.summary.zone;
        self.0
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, zone.clone());
        Ok(zone)
    }
}

/// How long a catalogue read from the store is used before it is read again: the delay after which an import
/// by another process shows.
const CATALOGUE_FRESH: Duration = Duration::from_secs(1);
