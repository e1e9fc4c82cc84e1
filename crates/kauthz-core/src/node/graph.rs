//! The Node authorizer's object graph (upstream `graph.go` and `intset.go`).
//!
//! Vertices are typed `(namespace, name)` pairs interned to `u32` ids; every edge points
//! towards node vertices. The representation is our own and built for size (upstream's
//! benchmark cluster has seven vertices per pod): a slot vector of compact vertices, their
//! names stored once in one string arena, adjacency lists inline up to a few edges, one
//! hash table of vertex ids for lookups, and the rare destination index boxed. Everything
//! that can change a decision is kept exactly as upstream has it:
//!
//! * at most one edge per vertex pair, a re-added edge replaces the old one;
//! * vertex ids are the smallest id not in use (upstream's gonum graph reuses freed ids),
//!   because destination indexes are keyed by node-vertex id;
//! * the destination-edge index (refcounts of destination nodes, kept for vertices whose
//!   degree reaches the threshold) is maintained with upstream's exact fast paths,
//!   including the over-count when one pod references the same object twice — a stale
//!   positive entry is observable (the index answers "yes" before any traversal), so it is
//!   reproduced, not fixed;
//! * the index is authoritative for every type but secret, pv and node.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use smallvec::SmallVec;

use crate::streq;

/// Default degree at which a vertex gets a destination index (upstream's value).
pub const DEFAULT_DESTINATION_EDGE_THRESHOLD: usize = 200;

/// "No destination": marks a plain edge (pv → pvc, secret → pv).
const NONE: u32 = u32::MAX;

/// Edges a reachability search may follow before it starts marking visited vertices.
const DFS_BUDGET: u32 = 4096;

/// The kinds of vertices the graph holds (upstream `vertexType`, same order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VertexType {
    /// A ConfigMap referenced by a pod.
    ConfigMap,
    /// A ResourceSlice bound to a node.
    ResourceSlice,
    /// A node (by name; it need not exist as an object).
    Node,
    /// A pod bound to a node.
    Pod,
    /// A PersistentVolumeClaim used by a pod or named in a PV's claimRef.
    Pvc,
    /// A PersistentVolume with a claimRef.
    Pv,
    /// A ResourceClaim used by a pod.
    ResourceClaim,
    /// A Secret referenced by a pod or by a PV.
    Secret,
    /// A VolumeAttachment bound to a node.
    VolumeAttachment,
    /// A ServiceAccount a pod runs as.
    ServiceAccount,
    /// A PodCertificateRequest naming a node.
    PodCertificateRequest,
}

impl VertexType {
    /// Every vertex type, in upstream order.
    pub const ALL: [VertexType; 11] = [
        VertexType::ConfigMap,
        VertexType::ResourceSlice,
        VertexType::Node,
        VertexType::Pod,
        VertexType::Pvc,
        VertexType::Pv,
        VertexType::ResourceClaim,
        VertexType::Secret,
        VertexType::VolumeAttachment,
        VertexType::ServiceAccount,
        VertexType::PodCertificateRequest,
    ];

    /// Upstream's label for the type (used in its log lines and vertex strings).
    pub fn label(self) -> &'static str {
        match self {
            VertexType::ConfigMap => "configmap",
            VertexType::ResourceSlice => "resourceslice",
            VertexType::Node => "node",
            VertexType::Pod => "pod",
            VertexType::Pvc => "pvc",
            VertexType::Pv => "pv",
            VertexType::ResourceClaim => "resourceclaim",
            VertexType::Secret => "secret",
            VertexType::VolumeAttachment => "volumeattachment",
            VertexType::ServiceAccount => "serviceAccount",
            VertexType::PodCertificateRequest => "podcertificaterequest",
        }
    }

    /// The vertex type that stands for objects of API `group`/`resource`, if the graph
    /// holds such objects (nodes are reached by name, not looked up as objects).
    pub fn for_resource(group: &str, resource: &str) -> Option<VertexType> {
        Some(match (group, resource) {
            ("", "secrets") => VertexType::Secret,
            ("", "configmaps") => VertexType::ConfigMap,
            ("", "persistentvolumeclaims") => VertexType::Pvc,
            ("", "persistentvolumes") => VertexType::Pv,
            ("", "pods") => VertexType::Pod,
            ("", "serviceaccounts") => VertexType::ServiceAccount,
            ("resource.k8s.io", "resourceclaims") => VertexType::ResourceClaim,
            ("resource.k8s.io", "resourceslices") => VertexType::ResourceSlice,
            ("storage.k8s.io", "volumeattachments") => VertexType::VolumeAttachment,
            ("certificates.k8s.io", "podcertificaterequests") => VertexType::PodCertificateRequest,
            _ => return None,
        })
    }

    /// Whether an existing destination index of this type lists every reachable node, so
    /// an index miss is a final "no" (upstream `vertexTypeWithAuthoritativeIndex`).
    pub fn authoritative_index(self) -> bool {
        !matches!(self, VertexType::Secret | VertexType::Pv | VertexType::Node)
    }
}

/// The seeded hash of the vertex table. Anyone who can create a pod chooses the names of
/// the secrets, configmaps and claims it references, so a fixed hash (the FxHash used
/// before, whose multiplier is public) lets them craft names that all land in one probe
/// sequence and make every insert and lookup linear: the graph build quadratic. foldhash
/// is as fast on short names; its per-hasher seeds come from the operating system's
/// randomness (through std's `RandomState`), its shared seed from foldhash's process-wide
/// one, so colliding names cannot be computed offline.
///
/// Each vertex type has its own independent random seed, so the type costs nothing per
/// lookup (it used to be a word written into the hasher, which cost a final mixing round).
#[derive(Clone)]
struct VertexHasher {
    /// Per-hasher seeds, indexed by `VertexType as usize`.
    type_seeds: [u64; VertexType::ALL.len()],
    shared: &'static foldhash::SharedSeed,
}

impl VertexHasher {
    fn new() -> Self {
        let random = std::collections::hash_map::RandomState::new();
        VertexHasher {
            type_seeds: VertexType::ALL.map(|t| random.hash_one((0x6b61_7574_687a_u64, t as u8))),
            shared: foldhash::SharedSeed::global_random(),
        }
    }

    /// The lookup hash of a vertex key: the namespace and the name, each one foldhash
    /// `write`, from the type's seed. The namespace/name split stays part of the key
    /// (`ns-a`/`b` is not `ns-`/`ab`) because each `write` first rotates the state by the
    /// length written; no final round is needed, as nothing is left in foldhash's sponge.
    #[inline(always)]
    fn key_hash(&self, vtype: VertexType, namespace: &str, name: &str) -> u64 {
        let mut h = foldhash::fast::FoldHasher::with_seed(self.type_seeds[vtype as usize], self.shared);
        h.write(namespace.as_bytes());
        h.write(name.as_bytes());
        h.finish()
    }
}

impl std::fmt::Debug for VertexHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VertexHasher(seeded)")
    }
}

/// Arena bytes below which dead names are never compacted away.
const ARENA_COMPACT_MIN: usize = 1 << 16;

/// One out-edge: the target and, for destination edges, the node finally reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OutEdge {
    to: u32,
    dest: u32,
}

/// Refcounts of destination node ids, sorted by id (upstream `intSet`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DestIndex {
    counts: Vec<(u32, u32)>,
}

impl DestIndex {
    #[inline]
    fn has(&self, id: u32) -> bool {
        self.counts.binary_search_by_key(&id, |&(k, _)| k).is_ok_and(|i| self.counts[i].1 > 0)
    }
    fn increment(&mut self, id: u32) {
        match self.counts.binary_search_by_key(&id, |&(k, _)| k) {
            Ok(i) => self.counts[i].1 += 1,
            Err(i) => self.counts.insert(i, (id, 1)),
        }
    }
    fn decrement(&mut self, id: u32) {
        if let Ok(i) = self.counts.binary_search_by_key(&id, |&(k, _)| k) {
            if self.counts[i].1 <= 1 {
                self.counts.remove(i);
            } else {
                self.counts[i].1 -= 1;
            }
        }
    }
}

/// A vertex: identity (namespace and name are `ns_len` and `name_len` bytes at `key` in
/// the graph's name arena), adjacency (each edge is stored once at its source and once at
/// its target; most vertices have one out-edge and a few in-edges, kept inline), and the
/// optional destination index.
#[derive(Debug, Clone)]
struct Vertex {
    key: u32,
    ns_len: u32,
    name_len: u32,
    vtype: VertexType,
    out: SmallVec<[OutEdge; 2]>,
    inc: SmallVec<[u32; 4]>,
    index: Option<Box<DestIndex>>,
}

impl Vertex {
    #[inline]
    fn degree(&self) -> usize {
        self.out.len() + self.inc.len()
    }

    #[inline]
    fn namespace<'a>(&self, arena: &'a str) -> &'a str {
        &arena[self.key as usize..self.key as usize + self.ns_len as usize]
    }

    #[inline]
    fn name<'a>(&self, arena: &'a str) -> &'a str {
        let start = self.key as usize + self.ns_len as usize;
        &arena[start..start + self.name_len as usize]
    }

    #[inline]
    fn key_len(&self) -> usize {
        self.ns_len as usize + self.name_len as usize
    }
}

/// The lookup hash of a live vertex (for table growth).
#[inline]
fn slot_hash(hasher: &VertexHasher, slots: &[Option<Vertex>], arena: &str, id: u32) -> u64 {
    let v = slots[id as usize].as_ref().expect("live vertex");
    hasher.key_hash(v.vtype, v.namespace(arena), v.name(arena))
}

/// The node graph: vertices for objects kubelets may need, edges towards nodes.
///
/// Cheap to read concurrently (`&Graph` is `Sync`); updates take `&mut self`, so a
/// long-running server would wrap it in a lock or swap snapshots.
#[derive(Debug, Clone)]
pub struct Graph {
    slots: Vec<Option<Vertex>>,
    free: BinaryHeap<Reverse<u32>>,
    live: usize,
    /// Every live vertex's namespace and name, back to back.
    arena: String,
    /// Arena bytes of removed vertices, reclaimed by compaction.
    dead: usize,
    /// Live vertex ids, hashed by `hasher`.
    table: HashTable<u32>,
    hasher: VertexHasher,
    threshold: usize,
    pub(crate) watch: super::Watched,
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

/// A vertex as seen from outside: its type, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VertexRef {
    /// The type.
    pub vertex_type: VertexType,
    /// Namespace (empty for cluster-scoped types and nodes).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl std::fmt::Display for VertexRef {
    /// `<label> <name>` or `<label> <namespace>/<name>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.vertex_type.label(), self.name)
        } else {
            write!(f, "{} {}/{}", self.vertex_type.label(), self.namespace, self.name)
        }
    }
}

impl Graph {
    /// An empty graph with upstream's index threshold, watching every kind the v1.37
    /// defaults watch.
    pub fn new() -> Self {
        Graph::with_threshold(DEFAULT_DESTINATION_EDGE_THRESHOLD)
    }

    /// An empty graph keeping destination indexes for vertices of degree ≥ `threshold`
    /// (upstream tests lower it to exercise the index).
    pub fn with_threshold(threshold: usize) -> Self {
        Graph {
            slots: Vec::new(),
            free: BinaryHeap::new(),
            live: 0,
            arena: String::new(),
            dead: 0,
            table: HashTable::new(),
            hasher: VertexHasher::new(),
            threshold,
            watch: super::Watched::default(),
        }
    }

    /// Makes room for `additional` more vertices without growing the tables on the way.
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
        let (slots, arena, hasher) = (&self.slots, self.arena.as_str(), &self.hasher);
        self.table.reserve(additional, |&x| slot_hash(hasher, slots, arena, x));
    }

    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.live
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.slots.iter().flatten().map(|v| v.out.len()).sum()
    }

    #[inline]
    fn v(&self, id: u32) -> &Vertex {
        self.slots[id as usize].as_ref().expect("live vertex")
    }

    #[inline]
    fn v_mut(&mut self, id: u32) -> &mut Vertex {
        self.slots[id as usize].as_mut().expect("live vertex")
    }

    #[inline]
    fn is_live(&self, id: u32) -> bool {
        self.slots.get(id as usize).is_some_and(Option::is_some)
    }

    /// The id of a vertex, without allocating.
    #[inline]
    pub(crate) fn lookup(&self, vtype: VertexType, namespace: &str, name: &str) -> Option<u32> {
        self.find(vtype, namespace, name).map(|(id, _)| id)
    }

    /// The id and vertex of a key. The table's candidates are walked here rather than
    /// through `HashTable::find`, whose equality closure hashbrown calls through a `dyn`
    /// reference (an out-of-line call per lookup); both stop at the same empty group.
    #[inline(always)]
    fn find(&self, vtype: VertexType, namespace: &str, name: &str) -> Option<(u32, &Vertex)> {
        self.find_hashed(self.hasher.key_hash(vtype, namespace, name), vtype, namespace, name)
    }

    /// [`Graph::find`] with the key's hash already computed.
    #[inline(always)]
    fn find_hashed(&self, hash: u64, vtype: VertexType, namespace: &str, name: &str) -> Option<(u32, &Vertex)> {
        let arena = self.arena.as_bytes();
        for &id in self.table.iter_hash(hash) {
            let Some(Some(v)) = self.slots.get(id as usize) else { continue };
            // Byte slices of the arena: no char-boundary checks on the lookup path;
            // `streq`, not slice `==`: these names are short, and `==` calls `bcmp`.
            let (key, ns_len) = (v.key as usize, v.ns_len as usize);
            if v.vtype == vtype
                && ns_len == namespace.len()
                && v.name_len as usize == name.len()
                && arena.get(key..key + ns_len).is_some_and(|a| streq::bytes_eq(a, namespace.as_bytes()))
                && arena.get(key + ns_len..key + ns_len + name.len()).is_some_and(|a| streq::bytes_eq(a, name.as_bytes()))
            {
                return Some((id, v));
            }
        }
        None
    }

    /// Whether `id` is the live node vertex named `node_name`: the same answer as
    /// `id == lookup(Node, "", node_name)` (node names are unique), without hashing.
    #[inline(always)]
    fn is_node(&self, id: u32, node_name: &str) -> bool {
        self.slots.get(id as usize).and_then(Option::as_ref).is_some_and(|v| self.is_node_vertex(v, node_name))
    }

    /// [`Graph::is_node`] for a vertex at hand.
    #[inline(always)]
    fn is_node_vertex(&self, v: &Vertex, node_name: &str) -> bool {
        let key = v.key as usize;
        v.vtype == VertexType::Node
            && v.ns_len == 0
            && v.name_len as usize == node_name.len()
            && self.arena.as_bytes().get(key..key + node_name.len()).is_some_and(|a| streq::bytes_eq(a, node_name.as_bytes()))
    }

    /// The smallest id not in use, as upstream's graph hands out ids.
    fn next_id(&mut self) -> u32 {
        match self.free.pop() {
            Some(Reverse(id)) => id,
            None => u32::try_from(self.slots.len()).expect("fewer than 2^32 vertices"),
        }
    }

    pub(crate) fn get_or_create(&mut self, vtype: VertexType, namespace: &str, name: &str) -> u32 {
        // One key hash for the lookup and the insert.
        let hash = self.hasher.key_hash(vtype, namespace, name);
        if let Some((id, _)) = self.find_hashed(hash, vtype, namespace, name) {
            return id;
        }
        let id = self.next_id();
        let len = |n: usize| u32::try_from(n).expect("names shorter than 4 GiB");
        let key = len(self.arena.len());
        self.arena.push_str(namespace);
        self.arena.push_str(name);
        let vertex = Vertex {
            key,
            ns_len: len(namespace.len()),
            name_len: len(name.len()),
            vtype,
            out: SmallVec::new(),
            inc: SmallVec::new(),
            index: None,
        };
        if id as usize == self.slots.len() {
            self.slots.push(Some(vertex));
        } else {
            self.slots[id as usize] = Some(vertex);
        }
        let (slots, arena, hasher) = (&self.slots, self.arena.as_str(), &self.hasher);
        self.table.insert_unique(hash, id, |&x| slot_hash(hasher, slots, arena, x));
        self.live += 1;
        id
    }

    /// Rewrites the name arena without the names of removed vertices.
    fn compact_arena(&mut self) {
        let mut arena = String::with_capacity(self.arena.len() - self.dead);
        for v in self.slots.iter_mut().flatten() {
            let start = v.key as usize;
            v.key = u32::try_from(arena.len()).expect("names shorter than 4 GiB");
            arena.push_str(&self.arena[start..start + v.key_len()]);
        }
        self.arena = arena;
        self.dead = 0;
    }

    /// Removes a vertex and all its edges; neighbours' indexes are left alone (upstream
    /// `removeVertexLocked`).
    fn remove_vertex(&mut self, id: u32) {
        let Some(vertex) = self.slots[id as usize].take() else { return };
        for e in &vertex.out {
            let t = self.v_mut(e.to);
            if let Some(p) = t.inc.iter().position(|&s| s == id) {
                t.inc.swap_remove(p);
            }
        }
        for &s in &vertex.inc {
            let sv = self.v_mut(s);
            if let Some(p) = sv.out.iter().position(|e| e.to == id) {
                sv.out.swap_remove(p);
            }
        }
        let hash = self.hasher.key_hash(vertex.vtype, vertex.namespace(&self.arena), vertex.name(&self.arena));
        if let Ok(entry) = self.table.find_entry(hash, |&x| x == id) {
            entry.remove();
        }
        self.dead += vertex.key_len();
        if self.dead >= ARENA_COMPACT_MIN && self.dead * 2 >= self.arena.len() {
            self.compact_arena();
        }
        self.free.push(Reverse(id));
        self.live -= 1;
    }

    /// Upstream `deleteVertexLocked`: removes the vertex, prunes neighbours that only
    /// had an edge to it (one level), then fixes the indexes of upstream neighbours.
    pub(crate) fn delete_vertex(&mut self, vtype: VertexType, namespace: &str, name: &str) {
        let Some(id) = self.lookup(vtype, namespace, name) else { return };
        let vertex = self.v(id);
        let mut orphans: Vec<u32> = Vec::new();
        let mut dec: Vec<(u32, u32)> = Vec::new();
        for e in &vertex.out {
            if self.v(e.to).degree() == 1 {
                orphans.push(e.to);
            }
        }
        for &s in &vertex.inc {
            let sv = self.v(s);
            if sv.degree() == 1 {
                orphans.push(s);
            } else {
                let dest = sv.out.iter().find(|e| e.to == id).map_or(NONE, |e| e.dest);
                dec.push((s, dest));
            }
        }
        self.remove_vertex(id);
        for o in orphans {
            self.remove_vertex(o);
        }
        for (s, dest) in dec {
            self.remove_edge_from_index(s, dest);
        }
    }

    /// Upstream `deleteEdgesLocked` (kept for its tests): drops every edge from a vertex of
    /// `from_type` into the given vertex, deleting sources left edgeless; never deletes the
    /// target.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn delete_edges(&mut self, from_type: VertexType, to_type: VertexType, namespace: &str, name: &str) {
        let Some(to) = self.lookup(to_type, namespace, name) else { return };
        let mut orphans = Vec::new();
        let mut edges = Vec::new();
        for &s in &self.v(to).inc {
            let sv = self.v(s);
            if sv.vtype != from_type {
                continue;
            }
            if sv.degree() == 1 {
                orphans.push(s);
            } else {
                let dest = sv.out.iter().find(|e| e.to == to).map_or(NONE, |e| e.dest);
                edges.push((s, dest));
            }
        }
        for o in orphans {
            self.remove_vertex(o);
        }
        for (s, dest) in edges {
            let sv = self.v_mut(s);
            if let Some(p) = sv.out.iter().position(|e| e.to == to) {
                sv.out.swap_remove(p);
            }
            let tv = self.v_mut(to);
            if let Some(p) = tv.inc.iter().position(|&x| x == s) {
                tv.inc.swap_remove(p);
            }
            self.remove_edge_from_index(s, dest);
        }
    }

    /// Upstream `removeEdgeFromDestinationIndexLocked`, run after the edge is gone.
    fn remove_edge_from_index(&mut self, from: u32, dest: u32) {
        if !self.is_live(from) {
            return;
        }
        let threshold = self.threshold;
        let v = self.v_mut(from);
        if v.degree() < threshold {
            v.index = None;
            return;
        }
        if let (Some(index), true) = (v.index.as_mut(), dest != NONE) {
            index.decrement(dest);
        }
    }

    /// Upstream `recomputeDestinationIndexLocked`.
    fn recompute_index(&mut self, id: u32) {
        let threshold = self.threshold;
        let v = self.v_mut(id);
        if v.degree() < threshold {
            v.index = None;
            return;
        }
        let mut index: Box<DestIndex> = v.index.take().unwrap_or_default();
        index.counts.clear();
        for e in &v.out {
            if e.dest != NONE {
                index.increment(e.dest);
            }
        }
        v.index = Some(index);
    }

    /// Upstream `addEdgeLocked`: sets (or replaces) the edge `from → to`, then updates
    /// `from`'s index. `dest == None` makes a plain edge, which touches no index.
    pub(crate) fn add_edge(&mut self, from: u32, to: u32, dest: Option<u32>) {
        assert_ne!(from, to, "self edge");
        let dest = dest.unwrap_or(NONE);
        debug_assert!(dest != NONE || !self.v(from).vtype.authoritative_index(), "authoritative types only get destination edges");
        // Scan the shorter side to find an existing edge between the pair.
        let exists = if self.v(from).out.len() <= self.v(to).inc.len() {
            self.v(from).out.iter().position(|e| e.to == to)
        } else if self.v(to).inc.contains(&from) {
            self.v(from).out.iter().position(|e| e.to == to)
        } else {
            None
        };
        match exists {
            Some(p) => self.v_mut(from).out[p].dest = dest,
            None => {
                debug_assert!(!self.v(to).out.iter().any(|e| e.to == from), "reverse edge");
                self.v_mut(from).out.push(OutEdge { to, dest });
                self.v_mut(to).inc.push(from);
            }
        }
        if dest == NONE {
            return;
        }
        // Upstream increments an existing index even when the edge already existed: the
        // over-count for duplicate references, reproduced on purpose.
        match self.v_mut(from).index.as_mut() {
            Some(index) => index.increment(dest),
            None => self.recompute_index(from),
        }
    }

    /// Upstream `hasPathFrom`: whether node `node_name` can reach the object. Does not
    /// allocate.
    pub fn has_path_from(&self, node_name: &str, vtype: VertexType, namespace: &str, name: &str) -> bool {
        let Some((start, v)) = self.find(vtype, namespace, name) else { return false };
        // The node's id is needed only to read a destination index; the search compares
        // destinations with the node by name ([`Graph::is_node`]), which saves a second
        // hash lookup on every decision. A node absent from the graph reaches nothing.
        if let Some(index) = &v.index {
            let Some(node) = self.lookup(VertexType::Node, "", node_name) else { return false };
            if index.has(node) {
                return true;
            }
            if vtype.authoritative_index() {
                return false;
            }
            return start == node || self.dfs(start, node);
        }
        // Only a node vertex is the node (tested first: one branch on the usual path).
        if vtype == VertexType::Node && self.is_node_vertex(v, node_name) {
            return true;
        }
        // An object several pods use (a deployment's secret): one lookup of the node's id,
        // then each step compares ids, instead of reading every candidate node's vertex
        // and name, which in a large cluster are cache misses.
        if v.out.len() > 1 {
            return self.lookup(VertexType::Node, "", node_name).is_some_and(|node| self.dfs(start, node));
        }
        let mut budget = DFS_BUDGET;
        match self.dfs_named(v, node_name, &mut budget) {
            Some(found) => found,
            // Past the budget: the visiting search, with the node's id.
            None => self.lookup(VertexType::Node, "", node_name).is_some_and(|node| self.dfs_visited(start, node)),
        }
    }

    /// [`Graph::dfs_bounded`] from a vertex at hand, comparing vertices with the node by
    /// name. Inlined into [`Graph::has_path_from`], so the usual search (an object whose
    /// edges all lead to a node) makes no call; deeper levels go through
    /// [`Graph::dfs_named_deep`].
    #[inline(always)]
    fn dfs_named(&self, from: &Vertex, node_name: &str, budget: &mut u32) -> Option<bool> {
        for e in &from.out {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            if e.dest != NONE {
                if self.is_node(e.dest, node_name) {
                    return Some(true);
                }
                continue;
            }
            let to = self.v(e.to);
            if self.is_node_vertex(to, node_name) || self.dfs_named_deep(to, node_name, budget)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// The recursion of [`Graph::dfs_named`], kept out of line.
    #[inline(never)]
    fn dfs_named_deep(&self, from: &Vertex, node_name: &str, budget: &mut u32) -> Option<bool> {
        self.dfs_named(from, node_name, budget)
    }

    #[inline]
    fn reaches(&self, node: u32, start: u32, vtype: VertexType) -> bool {
        if let Some(index) = &self.v(start).index {
            if index.has(node) {
                return true;
            }
            if vtype.authoritative_index() {
                return false;
            }
        }
        start == node || self.dfs(start, node)
    }

    /// Depth-first search along out-edges: destination edges are followed only when they
    /// lead to `node` (and then answer yes), plain edges always. The graph is acyclic by
    /// construction (types are layered), so real clusters need no visited set and the
    /// search does not allocate; but shared vertices (many PVs bound to one PVC, many
    /// claims used by the same pods) can make an unmarked search revisit subtrees
    /// combinatorially, so past a step budget it restarts with a visited set. Either way
    /// the answer is plain reachability, as upstream's visiting DFS computes it.
    fn dfs(&self, from: u32, node: u32) -> bool {
        let mut budget = DFS_BUDGET;
        match self.dfs_bounded(from, node, &mut budget) {
            Some(found) => found,
            None => self.dfs_visited(from, node),
        }
    }

    fn dfs_bounded(&self, from: u32, node: u32, budget: &mut u32) -> Option<bool> {
        for e in &self.v(from).out {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            if e.dest != NONE {
                if e.dest == node {
                    return Some(true);
                }
                continue;
            }
            if e.to == node || self.dfs_bounded(e.to, node, budget)? {
                return Some(true);
            }
        }
        Some(false)
    }

    fn dfs_visited(&self, from: u32, node: u32) -> bool {
        let mut seen = vec![false; self.slots.len()];
        let mut stack = vec![from];
        seen[from as usize] = true;
        while let Some(v) = stack.pop() {
            for e in &self.v(v).out {
                if e.dest != NONE {
                    if e.dest == node {
                        return true;
                    }
                    continue;
                }
                if e.to == node {
                    return true;
                }
                if !seen[e.to as usize] {
                    seen[e.to as usize] = true;
                    stack.push(e.to);
                }
            }
        }
        false
    }

    /// [`Graph::path_ids`] without the visited set, within a step budget (`None` when it
    /// runs out), like [`Graph::dfs_bounded`]. A vertex explored once without reaching
    /// `node` fails again the same way, so the path found is the one `path_ids` finds.
    fn path_bounded(&self, from: u32, node: u32, acc: &mut Vec<u32>, budget: &mut u32) -> Option<bool> {
        acc.push(from);
        if from == node {
            return Some(true);
        }
        for e in &self.v(from).out {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            let follow = if e.dest != NONE { e.dest == node } else { true };
            if follow && self.path_bounded(e.to, node, acc, budget)? {
                return Some(true);
            }
        }
        acc.pop();
        Some(false)
    }

    /// One path from `start` to `node` (vertex ids, start first), for explanations; vertices
    /// already explored are not entered twice.
    fn path_ids(&self, from: u32, node: u32, acc: &mut Vec<u32>, seen: &mut [bool]) -> bool {
        acc.push(from);
        if from == node {
            return true;
        }
        seen[from as usize] = true;
        for e in &self.v(from).out {
            let follow = if e.dest != NONE { e.dest == node } else { true };
            if follow && (e.to == node || !seen[e.to as usize]) && self.path_ids(e.to, node, acc, seen) {
                return true;
            }
        }
        acc.pop();
        false
    }

    /// The vertices from node `node_name` to the object (node first), if a real path
    /// exists. `None` also when only a stale index entry grants access.
    pub fn path(&self, node_name: &str, vtype: VertexType, namespace: &str, name: &str) -> Option<Vec<VertexRef>> {
        let node = self.lookup(VertexType::Node, "", node_name)?;
        let start = self.lookup(vtype, namespace, name)?;
        let mut acc = Vec::new();
        let mut budget = DFS_BUDGET;
        let found = match self.path_bounded(start, node, &mut acc, &mut budget) {
            Some(found) => found,
            None => {
                acc.clear();
                self.path_ids(start, node, &mut acc, &mut vec![false; self.slots.len()])
            }
        };
        if !found {
            return None;
        }
        Some(acc.iter().rev().map(|&id| self.vertex_ref(id)).collect())
    }

    fn vertex_ref(&self, id: u32) -> VertexRef {
        let v = self.v(id);
        VertexRef { vertex_type: v.vtype, namespace: v.namespace(&self.arena).to_string(), name: v.name(&self.arena).to_string() }
    }

    /// Vertices that keep a destination index (the only ones a stale index entry can
    /// make a candidate): computed once when many nodes are asked about.
    pub(crate) fn indexed_vertices(&self) -> Vec<u32> {
        (0..self.slots.len() as u32).filter(|&id| self.slots[id as usize].as_ref().is_some_and(|v| v.index.is_some())).collect()
    }

    /// Every vertex from which some directed path (or a positive index entry) leads to
    /// node `node_name`: the candidates for [`Graph::has_path_from`] being true. `indexed`
    /// is [`Graph::indexed_vertices`]; the visit touches only the node's own subgraph.
    pub(crate) fn candidates_for_node_among(&self, node_name: &str, indexed: &[u32]) -> Vec<u32> {
        let Some(node) = self.lookup(VertexType::Node, "", node_name) else { return Vec::new() };
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::from([node]);
        let mut stack = vec![node];
        let mut out = Vec::new();
        while let Some(v) = stack.pop() {
            for &s in &self.v(v).inc {
                if seen.insert(s) {
                    out.push(s);
                    stack.push(s);
                }
            }
        }
        // Stale index entries (the duplicate-reference over-count) grant access too.
        for &id in indexed {
            if self.v(id).index.as_ref().is_some_and(|i| i.has(node)) && seen.insert(id) {
                out.push(id);
            }
        }
        out.retain(|&id| self.reaches(node, id, self.v(id).vtype));
        out
    }

    /// Names of every node that [`Graph::has_path_from`] says can reach the vertex.
    pub(crate) fn nodes_reaching(&self, vtype: VertexType, namespace: &str, name: &str) -> Vec<String> {
        let Some(start) = self.lookup(vtype, namespace, name) else { return Vec::new() };
        let mut nodes: Vec<u32> = Vec::new();
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            let vx = self.v(v);
            if vx.vtype == VertexType::Node {
                nodes.push(v);
            }
            if let Some(index) = &vx.index {
                nodes.extend(index.counts.iter().map(|&(n, _)| n));
            }
            for e in &vx.out {
                if e.dest != NONE {
                    nodes.push(e.dest);
                } else {
                    stack.push(e.to);
                }
            }
        }
        nodes.sort_unstable();
        nodes.dedup();
        let mut names: Vec<String> = nodes
            .into_iter()
            .filter(|&n| self.is_live(n) && self.v(n).vtype == VertexType::Node && self.reaches(n, start, vtype))
            .map(|n| self.v(n).name(&self.arena).to_string())
            .collect();
        names.sort();
        names
    }

    pub(crate) fn describe(&self, id: u32) -> VertexRef {
        self.vertex_ref(id)
    }

    /// Test view: every vertex as upstream's `String()` mapped to its sorted out-neighbours.
    #[cfg(test)]
    pub(crate) fn dump_edges(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut m = std::collections::BTreeMap::new();
        for (id, slot) in self.slots.iter().enumerate() {
            if let Some(v) = slot {
                let mut to: Vec<String> = v.out.iter().map(|e| self.upstream_string(e.to)).collect();
                to.sort();
                m.insert(self.upstream_string(id as u32), to);
            }
        }
        m
    }

    /// Test view: every destination index as `node:<n>=<count>` lists.
    #[cfg(test)]
    pub(crate) fn dump_index(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut m = std::collections::BTreeMap::new();
        for (id, slot) in self.slots.iter().enumerate() {
            if let Some(v) = slot
                && let Some(index) = &v.index
            {
                let mut vals: Vec<String> = index
                    .counts
                    .iter()
                    .map(|&(n, c)| format!("{}={c}", if self.is_live(n) { self.upstream_string(n) } else { String::new() }))
                    .collect();
                vals.sort();
                m.insert(self.upstream_string(id as u32), vals);
            }
        }
        m
    }

    /// Test view: vertex ids by upstream string.
    #[cfg(test)]
    pub(crate) fn dump_ids(&self) -> std::collections::BTreeMap<String, u32> {
        self.slots.iter().enumerate().filter_map(|(id, s)| s.as_ref().map(|_| (self.upstream_string(id as u32), id as u32))).collect()
    }

    #[cfg(test)]
    fn upstream_string(&self, id: u32) -> String {
        let v = self.v(id);
        let (ns, name) = (v.namespace(&self.arena), v.name(&self.arena));
        if ns.is_empty() { format!("{}:{}", v.vtype.label(), name) } else { format!("{}:{}/{}", v.vtype.label(), ns, name) }
    }
}

// The slot vector dominates the graph's size: keep a vertex at nine words.
const _: () = assert!(std::mem::size_of::<Option<Vertex>>() <= 72);

#[cfg(test)]
mod arena_tests {
    use super::*;

    /// Churn past the compaction threshold: names, ids and edges survive every compaction.
    #[test]
    fn names_survive_arena_compaction() {
        let mut g = Graph::new();
        let node = g.get_or_create(VertexType::Node, "", "node0");
        let keep: Vec<u32> = (0..50).map(|i| g.get_or_create(VertexType::Pod, "ns-keep", &format!("keep{i}"))).collect();
        for &k in &keep {
            g.add_edge(k, node, Some(node));
        }
        for round in 0..20 {
            let ids: Vec<u32> = (0..500)
                .map(|i| g.get_or_create(VertexType::Secret, "some-namespace", &format!("s{round}-{i}-{}", "x".repeat(i % 40))))
                .collect();
            for (i, &s) in ids.iter().enumerate() {
                g.add_edge(s, keep[i % keep.len()], Some(node));
            }
            for i in 0..500 {
                g.delete_vertex(VertexType::Secret, "some-namespace", &format!("s{round}-{i}-{}", "x".repeat(i % 40)));
            }
        }
        assert!(g.arena.len() < 2 * ARENA_COMPACT_MIN, "arena compacted: {} bytes", g.arena.len());
        assert_eq!(g.vertex_count(), 51);
        for (i, &k) in keep.iter().enumerate() {
            assert_eq!(g.lookup(VertexType::Pod, "ns-keep", &format!("keep{i}")), Some(k));
            assert_eq!(g.describe(k).to_string(), format!("pod ns-keep/keep{i}"));
            assert!(g.has_path_from("node0", VertexType::Pod, "ns-keep", &format!("keep{i}")));
        }
        assert_eq!(g.lookup(VertexType::Secret, "some-namespace", "s0-0-"), None);
        assert_eq!(g.lookup(VertexType::Pod, "ns-kee", "pkeep0"), None, "namespace/name split is part of the key");
    }

    /// The vertex type and the namespace/name split are part of the hash, not only of the
    /// compare (a hash of the concatenated key would put every split in one probe
    /// sequence), and each hasher draws its own seeds.
    #[test]
    fn key_hash_separates_type_and_split_and_is_seeded() {
        let h = VertexHasher::new();
        let full = "abcdefghijklmnopqrstuvwxyz0123456789-abc";
        let mut seen = std::collections::HashSet::new();
        for cut in 0..=full.len() {
            for t in VertexType::ALL {
                assert!(seen.insert(h.key_hash(t, &full[..cut], &full[cut..])), "{t:?} {cut}");
            }
        }
        let other = VertexHasher::new();
        let same = VertexType::ALL.iter().filter(|&&t| h.key_hash(t, "ns", "name") == other.key_hash(t, "ns", "name")).count();
        assert_eq!(same, 0, "two graphs' hashers agree");
    }

    /// The budgeted path search without a visited set finds exactly the path the visiting
    /// search finds, or gives up.
    #[test]
    fn bounded_path_matches_visiting_path() {
        let mut g = Graph::with_threshold(3);
        crate::node::sample::generate(&crate::node::sample::SampleOpts::node_authorizer_test()).populate(&mut g);
        let nodes: Vec<u32> = (0..g.slots.len() as u32).filter(|&id| g.is_live(id) && g.v(id).vtype == VertexType::Node).collect();
        let mut compared = 0;
        for start in (0..g.slots.len() as u32).filter(|&id| g.is_live(id)) {
            for &node in &nodes {
                let mut want = Vec::new();
                let found = g.path_ids(start, node, &mut want, &mut vec![false; g.slots.len()]);
                for budget in [0, 1, 2, 5, DFS_BUDGET] {
                    let mut got = Vec::new();
                    match g.path_bounded(start, node, &mut got, &mut { budget }) {
                        Some(f) => {
                            assert_eq!((f, &got), (found, &want));
                            compared += 1;
                        }
                        None => assert!(budget < DFS_BUDGET),
                    }
                }
            }
        }
        assert!(compared > 100);
    }
}
