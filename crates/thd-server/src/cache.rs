//! Deliveries decoded once and kept in memory: the map and the figures of a delivery are asked for again and
//! again (every pan of the map is a request), while loading and decoding a region-scale delivery takes seconds.
//!
//! A small least-recently-loaded cache of [`Loaded`] deliveries. Two requests for the same delivery arriving
//! together load it once: each slot is a `OnceCell` that the first request fills while the others wait on it. A
//! failed load leaves the slot empty, so the next request tries again. Stored deliveries never change (an
//! import adds a delivery, it never edits one), so an entry is never stale.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thd_model::Schema;
use thd_network::Network;
use thd_plan::{PhaseMap, PlugIndex, ZoneAcceptances};
use thd_store::Store;
use tokio::sync::OnceCell;

use crate::answers::Answers;
use crate::error::ApiError;
use crate::layers::Layer;

/// A delivery ready to answer from: its decoded network and its spatial tables indexed for the map.
#[derive(Debug)]
pub struct Loaded {
    pub network: Network,
    /// Spatial tables by GraceTHD name (`t_noeud`, `t_cheminement`...).
    pub layers: BTreeMap<String, Layer>,
    /// The plugs placed with the zone acceptances they were placed with: placing a region's plugs takes a
    /// noticeable fraction of a second, and the acceptances change only when the delegatee syncs.
    placed: Mutex<Option<(ZoneAcceptances, Arc<PlugIndex>)>>,
    /// Planning answers (stats, cost, rollout, IPE) under the acceptances they were computed with.
    pub planning_answers: Answers<ZoneAcceptances>,
    /// Layer views: a stored delivery never changes, so neither do they.
    pub layer_answers: Answers<()>,
    /// The zone acceptances last read: the server's count of sync writes then, when, and what they were.
    acceptances: Mutex<Option<(u64, Instant, ZoneAcceptances)>>,
}

impl Loaded {
    /// The acceptances last read, if no sync write came through this server since (`writes` is its count now)
    /// and they are younger than `fresh`.
    pub fn acceptances_read(&self, writes: u64, fresh: Duration) -> Option<ZoneAcceptances> {
        let known = self.acceptances.lock().unwrap_or_else(|e| e.into_inner());
        match known.as_ref() {
            Some((w, at, acceptances)) if *w == writes && at.elapsed() < fresh => {
                Some(acceptances.clone())
            }
            _ => None,
        }
    }

    /// Remembers the acceptances just read, with the count of sync writes before reading them.
    pub fn acceptances_were(&self, writes: u64, acceptances: ZoneAcceptances) {
        *self.acceptances.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((writes, Instant::now(), acceptances));
    }

    /// The delivery's plugs placed with `phases` and `acceptances`, reused while the acceptances stay the same.
    pub fn plugs(&self, phases: &PhaseMap, acceptances: ZoneAcceptances) -> Arc<PlugIndex> {
        let mut placed = self.placed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, index)) = placed.as_ref()
            && *known == acceptances
        {
            return Arc::clone(index);
        }
        let index = Arc::new(PlugIndex::build(&self.network, phases, &acceptances));
        *placed = Some((acceptances, Arc::clone(&index)));
        index
    }
}

type Slot = Arc<OnceCell<Arc<Loaded>>>;

#[derive(Debug)]
pub struct DeliveryCache {
    capacity: usize,
    /// Most recently inserted last.
    slots: Mutex<VecDeque<(i64, Slot)>>,
}

impl DeliveryCache {
    pub fn new(capacity: usize) -> Self {
        DeliveryCache {
            capacity: capacity.max(1),
            slots: Mutex::new(VecDeque::new()),
        }
    }

    /// Delivery `id`, loaded from `store` and decoded if it is not in memory.
    pub async fn get(&self, store: &Store, id: i64) -> Result<Arc<Loaded>, ApiError> {
        let slot = self.slot(id);
        let loaded = slot
            .get_or_try_init(|| async {
                let raw = store.load(id).await?;
                tokio::task::spawn_blocking(move || build(raw))
                    .await
                    .map_err(ApiError::internal)?
            })
            .await?;
        Ok(Arc::clone(loaded))
    }

    fn slot(&self, id: i64) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, slot)) = slots.iter().find(|(key, _)| *key == id) {
            return Arc::clone(slot);
        }
        let slot = Slot::default();
        slots.push_back((id, Arc::clone(&slot)));
        while slots.len() > self.capacity {
            slots.pop_front();
        }
        slot
    }
}

fn build(mut raw: thd_model::RawDelivery) -> Result<Arc<Loaded>, ApiError> {
    let decoded = thd_network::decode(&raw).map_err(ApiError::internal)?;
    let schema = Schema::of(decoded.network.version);
    crate::layers::place_on_nodes(&mut raw);
    let spatial: Vec<String> = raw
        .tables
        .iter()
        .filter(|(_, t)| t.geometries.is_some())
        .map(|(name, _)| name.clone())
        .collect();
    let layers = spatial
        .into_iter()
        .filter_map(|name| {
            let table = raw.tables.remove(&name)?;
            Some((name, Layer::new(table, schema)))
        })
        .collect();
    Ok(Arc::new(Loaded {
        network: decoded.network,
        layers,
        placed: Mutex::new(None),
        planning_answers: Answers::default(),
        layer_answers: Answers::default(),
        acceptances: Mutex::new(None),
    }))
}
