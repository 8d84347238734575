//! Fuzz target: the snapshot loader never panics, and any snapshot it accepts can be audited (every rule
//! over the world it builds) and merged with itself without panicking.
#![no_main]

use atrest::engine::{self, EngineSettings};
use atrest::rules::world::World;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(inventory) = atrest::inventory::parse_snapshot("fuzz.json", text) else { return };
    let settings = EngineSettings { ruleset: atrest::vocab::Ruleset::Strict, today: 20_000, ..EngineSettings::default() };
    // Merging a snapshot with a copy of itself changes nothing: the same inventory, the same disagreements
    // (a snapshot may list a resource twice, differently: that is reported, once).
    let alone = atrest::inventory::merge(vec![("a.json".into(), inventory.clone())]);
    let merged = atrest::inventory::merge(vec![("a.json".into(), inventory.clone()), ("b.json".into(), inventory)]);
    assert_eq!(alone.inventory, merged.inventory, "a self-merge changed the inventory");
    let ids = |m: &atrest::inventory::Merged| m.conflicts.iter().map(|c| (c.kind, c.id.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&alone), ids(&merged), "a self-merge found other disagreements");
    let world = World::new(&merged.inventory);
    let _ = engine::audit(&world, &settings);
});
