//! Cluster state: the object store and the derived authorization state kept beside it.
//!
//! One update API (`apply`, `delete`, `relist`) serves snapshot loading and live watches.
//! The node graph is updated incrementally on every change; the RBAC index is rebuilt
//! after a batch of role or binding changes (they are rare and the rebuild is cheap).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::model::{CompactString, Kind, Object, ObjectKey};
use crate::node;
use crate::rbac::RbacIndex;

#[cfg(test)]
#[path = "state_props.rs"]
mod props;

/// All objects by kind, namespace and name.
#[derive(Debug, Clone, Default)]
pub struct ObjectStore {
    objects: BTreeMap<ObjectKey, Object>,
}

impl ObjectStore {
    /// Looks up one object.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.objects.get(&ObjectKey { kind, namespace: namespace.into(), name: name.into() })
    }

    /// Every object of `kind`, ordered by namespace and name.
    pub fn list(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        let start = ObjectKey { kind, namespace: CompactString::default(), name: CompactString::default() };
        self.objects.range(start..).take_while(move |(k, _)| k.kind == kind).map(|(_, o)| o)
    }

    /// Number of objects held.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// Objects plus the authorizers' derived state.
#[derive(Debug, Clone, Default)]
pub struct ClusterState {
    store: ObjectStore,
    rbac: RbacIndex,
    graph: node::Graph,
}

fn is_rbac(kind: Kind) -> bool {
    matches!(kind, Kind::Role | Kind::ClusterRole | Kind::RoleBinding | Kind::ClusterRoleBinding)
}

impl ClusterState {
    /// An empty cluster.
    pub fn new() -> Self {
        ClusterState::default()
    }

    /// An empty cluster whose node graph watches what upstream's informers watch under
    /// these gates (ResourceSlices and PodCertificateRequests only when theirs are on).
    pub fn for_node_config(config: &node::NodeAuthorizerConfig) -> Self {
        let mut state = ClusterState::default();
        state.graph.watch = node::Watched::from(config);
        state
    }

    /// A cluster holding `objects`, applied in order (later objects replace earlier ones
    /// with the same kind, namespace and name).
    pub fn from_objects(objects: impl IntoIterator<Item = Object>) -> Self {
        let mut state = ClusterState::new();
        state.apply_all(objects);
        state
    }

    /// Applies a batch of adds/updates, rebuilding RBAC once at the end.
    pub fn apply_all(&mut self, objects: impl IntoIterator<Item = Object>) {
        let objects = objects.into_iter();
        // Most objects become one graph vertex: size the graph's tables once instead of
        // rehashing a million-vertex table as it doubles.
        self.graph.reserve(objects.size_hint().0);
        let mut rbac_changed = false;
        for object in objects {
            rbac_changed |= self.upsert(object);
        }
        if rbac_changed {
            self.rebuild_rbac();
        }
    }

    /// Applies one add or update.
    pub fn apply(&mut self, object: Object) {
        self.apply_all([object]);
    }

    /// Deletes one object; returns it if it existed.
    pub fn delete(&mut self, key: &ObjectKey) -> Option<Object> {
        let old = self.store.objects.remove(key)?;
        self.graph.on_delete(&old);
        if is_rbac(key.kind) {
            self.rebuild_rbac();
        }
        Some(old)
    }

    /// Replaces every object of `kind` with `objects`: those missing from the list are
    /// deleted, the rest applied (what a watch's relist does).
    pub fn relist(&mut self, kind: Kind, objects: Vec<Object>) {
        let keep: std::collections::HashSet<ObjectKey> = objects.iter().map(Object::key).collect();
        let stale: Vec<ObjectKey> = self.store.list(kind).map(Object::key).filter(|k| !keep.contains(k)).collect();
        for key in &stale {
            if let Some(old) = self.store.objects.remove(key) {
                self.graph.on_delete(&old);
            }
        }
        for object in objects {
            self.upsert(object);
        }
        if is_rbac(kind) {
            self.rebuild_rbac();
        }
    }

    /// Stores one object and updates the graph; returns whether RBAC must be rebuilt.
    fn upsert(&mut self, object: Object) -> bool {
        let key = object.key();
        let rbac = is_rbac(key.kind);
        // One descent of the store's tree, not an insert and then a lookup.
        match self.store.objects.entry(key) {
            Entry::Vacant(slot) => self.graph.on_upsert(slot.insert(object), None),
            Entry::Occupied(mut slot) => {
                let previous = slot.insert(object);
                self.graph.on_upsert(slot.get(), Some(&previous));
            }
        }
        rbac
    }

    fn rebuild_rbac(&mut self) {
        let s = &self.store;
        let roles = s.list(Kind::Role).filter_map(|o| if let Object::Role(r) = o { Some(&**r) } else { None });
        let crs = s.list(Kind::ClusterRole).filter_map(|o| if let Object::ClusterRole(r) = o { Some(&**r) } else { None });
        let rbs = s.list(Kind::RoleBinding).filter_map(|o| if let Object::RoleBinding(r) = o { Some(&**r) } else { None });
        let crbs = s.list(Kind::ClusterRoleBinding).filter_map(|o| if let Object::ClusterRoleBinding(r) = o { Some(&**r) } else { None });
        self.rbac = RbacIndex::build(roles, crs, rbs, crbs);
    }

    /// The objects.
    pub fn store(&self) -> &ObjectStore {
        &self.store
    }

    /// The RBAC index.
    pub fn rbac(&self) -> &RbacIndex {
        &self.rbac
    }

    /// The node graph.
    pub fn graph(&self) -> &node::Graph {
        &self.graph
    }
}
