//! District plans: where premises, PBO groups and branch streets go, in each district's own frame, before the
//! districts are packed around the commune centre.

use rand::Rng;

use super::Phase;

/// Premises planned in a district's own frame, before the districts are placed.
#[derive(Debug)]
pub(super) struct PlannedAddress {
    pub(super) row: i32,
    pub(super) branch: i32,
    /// Position along the branch in lattice units from the trunk.
    pub(super) t: f64,
    pub(super) side: f64,
    pub(super) hab: u32,
    pub(super) pro: u32,
    pub(super) building: bool,
    pub(super) group: usize,
}

#[derive(Debug)]
pub(super) struct Group {
    pub(super) row: i32,
    pub(super) branch: i32,
    pub(super) first_t: f64,
    pub(super) last_t: f64,
    pub(super) plugs: u32,
}

#[derive(Debug)]
pub(super) struct Plan {
    pub(super) half: i32,
    pub(super) rows: i32,
    pub(super) phase: Phase,
    pub(super) day: u32,
    pub(super) addresses: Vec<PlannedAddress>,
    pub(super) groups: Vec<Group>,
}

/// Per-commune settings drawn once: they make a town and a rural commune look different.
#[derive(Debug)]
pub(super) struct Style {
    pub(super) spacing: f64,
    pub(super) slots: u32,
    pub(super) fill: f64,
    pub(super) aerial: f64,
}

/// Plans a district of `plugs` plugs: branch streets of `half` edges each side of the trunk, filled row by row.
pub(super) fn plan(plugs: u32, style: &Style, rng: &mut impl Rng) -> Plan {
    let half = rng.random_range(3..=6);
    let mut addresses = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut remaining = plugs;
    let mut row = 0;
    while remaining > 0 {
        for branch in [1, -1] {
            let mut open: Option<(usize, u32)> = None;
            for e in 0..half {
                for j in 0..style.slots {
                    if remaining == 0 {
                        break;
                    }
                    let t = e as f64 + (j as f64 + 0.5) / style.slots as f64;
                    // Close the PBO group at a slot boundary, so facing premises share their PBO.
                    if let Some((g, target)) = open
                        && groups[g].plugs >= target
                    {
                        open = None;
                    }
                    for side in [1.0, -1.0] {
                        if remaining == 0 || !rng.random_bool(style.fill) {
                            continue;
                        }
                        let (mut hab, mut pro, building) = premises(rng);
                        if hab + pro > remaining {
                            pro = pro.min(remaining);
                            hab = remaining - pro;
                        }
                        remaining -= hab + pro;
                        let g = match open {
                            Some((g, _)) => g,
                            None => {
                                groups.push(Group {
                                    row,
                                    branch,
                                    first_t: t,
                                    last_t: t,
                                    plugs: 0,
                                });
                                open = Some((groups.len() - 1, rng.random_range(6..=12)));
                                groups.len() - 1
                            }
                        };
                        groups[g].last_t = t;
                        groups[g].plugs += hab + pro;
                        addresses.push(PlannedAddress {
                            row,
                            branch,
                            t,
                            side,
                            hab,
                            pro,
                            building,
                            group: g,
                        });
                    }
                }
            }
        }
        row += 1;
    }
    Plan {
        half,
        rows: row,
        phase: Phase::draw(rng),
        day: rng.random_range(0..2400),
        addresses,
        groups,
    }
}

/// Draws one address's premises: mostly single houses, some small buildings, shops and home offices, as in the
/// low-density areas a RIP covers.
fn premises(rng: &mut impl Rng) -> (u32, u32, bool) {
    match rng.random_range(0..100) {
        0..86 => (1, 0, false),
        86..92 => (rng.random_range(3..=8), 0, true),
        92..97 => (0, 1, false),
        _ => (1, 1, false),
    }
}

/// Packs districts in shelves, one lattice street apart, centred on the lattice origin. Returns each district's
/// trunk base (lattice column of its trunk, lattice row of its first branch street).
pub(super) fn place(plans: &[Plan]) -> Vec<(i32, i32)> {
    let per_shelf = (plans.len() as f64).sqrt().ceil() as usize;
    let mut origins = Vec::with_capacity(plans.len());
    let mut y = 0;
    for shelf in plans.chunks(per_shelf) {
        let mut x = 0;
        for p in shelf {
            origins.push((x + p.half, y));
            x += 2 * p.half + 2;
        }
        y += shelf.iter().map(|p| p.rows).max().unwrap_or(1) + 1;
    }
    let max_x = origins
        .iter()
        .zip(plans)
        .map(|(&(x, _), p)| x + p.half)
        .max()
        .unwrap_or(0);
    let (dx, dy) = (max_x / 2, (y - 1) / 2);
    origins.iter().map(|&(x, y)| (x - dx, y - dy)).collect()
}
