//! Core (`v1`) objects and the pod fields the Node authorizer's graph reads.

use serde::{Deserialize, Serialize};

use super::{CompactString, NameRef, ObjectMeta};

/// A JSON object whose content does not matter, only its presence
/// (e.g. `ephemeral: {...}` makes a pod reference the PVC `<pod>-<volume>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {}

/// A Namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Namespace {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A Node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Node {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec (what NodeRestriction guards).
    #[serde(skip_serializing_if = "NodeSpec::is_empty")]
    pub spec: NodeSpec,
}

/// The node spec fields NodeRestriction compares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeSpec {
    /// Taints.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub taints: Vec<Taint>,
    /// Deprecated dynamic kubelet config source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_source: Option<NodeConfigSource>,
}

impl NodeSpec {
    fn is_empty(&self) -> bool {
        self.taints.is_empty() && self.config_source.is_none()
    }
}

/// A node taint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Taint {
    /// Key.
    pub key: CompactString,
    /// Value.
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub value: CompactString,
    /// Effect.
    pub effect: CompactString,
    /// When the taint was added (RFC 3339), compared by instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_added: Option<super::Time>,
}

/// `spec.configSource`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeConfigSource {
    /// The ConfigMap holding the kubelet configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapNodeConfigSource>,
}

/// `spec.configSource.configMap`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfigMapNodeConfigSource {
    /// Namespace.
    pub namespace: CompactString,
    /// Name.
    pub name: CompactString,
    /// Uid.
    #[serde(rename = "uid")]
    pub uid: CompactString,
    /// Resource version.
    pub resource_version: CompactString,
    /// Key of the kubelet configuration.
    pub kubelet_config_key: CompactString,
}

/// A Secret: metadata and type only; its payload is never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Secret {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Secret type, e.g. `kubernetes.io/service-account-token`.
    #[serde(rename = "type", skip_serializing_if = "CompactString::is_empty")]
    pub type_: CompactString,
}

/// A ConfigMap: metadata only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigMap {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A ServiceAccount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceAccount {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A Lease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lease {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A Pod.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pod {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PodSpec,
    /// Status.
    pub status: PodStatus,
}

impl Pod {
    /// Whether this is a mirror pod (created by a kubelet for a static pod).
    pub fn is_mirror(&self) -> bool {
        self.metadata.annotations.contains_key("kubernetes.io/config.mirror")
    }
}

/// The pod spec fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodSpec {
    /// Node the pod is bound to; empty while unscheduled.
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub node_name: CompactString,
    /// Service account the pod runs as.
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub service_account_name: CompactString,
    /// Image pull secrets.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub image_pull_secrets: Vec<NameRef>,
    /// Regular containers.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub containers: Vec<Container>,
    /// Init containers.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub init_containers: Vec<Container>,
    /// Ephemeral (debug) containers.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub ephemeral_containers: Vec<Container>,
    /// Volumes.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub volumes: Vec<Volume>,
    /// Dynamic resource allocation claims.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub resource_claims: Vec<PodResourceClaim>,
}

/// The pod status fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodStatus {
    /// Names of claims generated from templates.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub resource_claim_statuses: Vec<PodResourceClaimStatus>,
    /// The claim created for extended resources, if any (boxed: rare, and every pod carries
    /// the field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_resource_claim_status: Option<Box<ExtendedResourceClaimStatus>>,
    /// Node-allocatable resources claimed through DRA (frozen for kubelets by NodeRestriction).
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub node_allocatable_resource_claim_statuses: Vec<NodeAllocatableResourceClaimStatus>,
}

/// One `status.nodeAllocatableResourceClaimStatuses` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeAllocatableResourceClaimStatus {
    /// The claim.
    pub resource_claim_name: CompactString,
    /// Containers the claim's resources are attributed to.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub containers: Vec<CompactString>,
    /// Mapped resources.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub mapping: Vec<NodeAllocatableMappedResources>,
    /// Overhead resources.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub overhead: Vec<NodeAllocatableOverheadResources>,
}

/// One mapped node-allocatable resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeAllocatableMappedResources {
    /// Resource name.
    pub name: CompactString,
    /// Quantity, compared by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<super::Quantity>,
}

/// One node-allocatable overhead resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeAllocatableOverheadResources {
    /// Resource name.
    pub name: CompactString,
    /// Per-pod overhead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_pod: Option<super::Quantity>,
    /// Per-container overhead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_container: Option<super::Quantity>,
}

/// One `spec.resourceClaims` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodResourceClaim {
    /// Name within the pod.
    pub name: CompactString,
    /// Existing claim name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_claim_name: Option<CompactString>,
    /// Template to create a claim from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_claim_template_name: Option<CompactString>,
}

/// One `status.resourceClaimStatuses` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodResourceClaimStatus {
    /// Name within the pod.
    pub name: CompactString,
    /// Generated claim name, if one was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_claim_name: Option<CompactString>,
}

/// `status.extendedResourceClaimStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExtendedResourceClaimStatus {
    /// The generated claim.
    pub resource_claim_name: CompactString,
    /// Which container requests map to which claim requests; compared by the Node
    /// authorizer's graph populator to detect changes.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub request_mappings: Vec<ContainerExtendedResourceRequest>,
}

/// One `status.extendedResourceClaimStatus.requestMappings` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerExtendedResourceRequest {
    /// Container name.
    pub container_name: CompactString,
    /// Extended resource name, e.g. `example.com/gpu`.
    pub resource_name: CompactString,
    /// Request name in the claim.
    pub request_name: CompactString,
}

/// The container fields that reference secrets and configmaps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Container {
    /// Container name.
    pub name: CompactString,
    /// The environment variables whose value comes from a secret or configmap key. The others
    /// (plain values, field and resource references) are dropped when decoding: no check
    /// reads them, and a real pod carries dozens.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "env_from_objects")]
    pub env: Vec<EnvVar>,
    /// Whole-object environment sources.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub env_from: Vec<EnvFromSource>,
}

/// Decodes `env`, keeping only the variables that reference a secret or configmap (see
/// [`Container::env`]); the whole list is still decoded, so a malformed entry is an error.
fn env_from_objects<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<EnvVar>, D::Error> {
    let mut env = Vec::<EnvVar>::deserialize(deserializer)?;
    env.retain(|e| e.value_from.as_ref().is_some_and(|s| s.secret_key_ref.is_some() || s.config_map_key_ref.is_some()));
    env.shrink_to_fit();
    Ok(env)
}

/// One environment variable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    pub name: CompactString,
    /// Source of the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

/// `env[].valueFrom`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A key of a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<NameRef>,
    /// A key of a configmap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<NameRef>,
}

/// `envFrom[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvFromSource {
    /// A whole secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NameRef>,
    /// A whole configmap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<NameRef>,
}

/// A `secretRef: {name}` holder used by several volume types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretRefHolder {
    /// The referenced secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NameRef>,
}

/// A pod volume, stored compactly: a volume with one of the common sources (secret,
/// configmap, claim, projected, CSI, ephemeral, emptyDir, hostPath, downwardAPI) holds just
/// that source; any other volume keeps all its [`VolumeFields`], boxed. (Every pod of a
/// million-pod snapshot has a few volumes; the full set of source fields took 224 bytes
/// each.) Sources are read through the accessors, one per field of [`VolumeFields`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    /// Volume name.
    pub name: CompactString,
    source: StoredSource,
}

/// What a [`Volume`] holds besides its name.
#[derive(Debug, Clone, Default, PartialEq)]
enum StoredSource {
    /// No source kauthz reads.
    #[default]
    None,
    Secret(SecretVolume),
    ConfigMap(NameRef),
    PersistentVolumeClaim(PvcVolume),
    Projected(ProjectedVolume),
    Csi(Box<CsiVolume>),
    Ephemeral(EphemeralVolume),
    EmptyDir,
    HostPath,
    DownwardApi,
    /// Anything else: a rarer source, or several sources at once.
    All(Box<VolumeFields>),
}

/// Writes [`VolumeFields`], the [`Volume`] accessors, the compaction from [`VolumeFields`]
/// and the way back from one list of the source fields: `field: Type`, `=> Variant` for
/// sources stored inline, `| Variant` for presence-only ones stored as a bare variant.
macro_rules! volume_sources {
    ($($(#[doc = $doc:literal])* $(#[serde($($serde:tt)*)])? $field:ident: $ty:ty $(=> $variant:ident)? $(| $unit:ident)?;)*) => {
        /// Every field of a pod volume kauthz reads, as written: the form a [`Volume`] is decoded
        /// from and written back as. Upstream's `VolumeSource` holds one source per volume; a file
        /// may set several (the apiserver refuses that), and then every one is kept.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, rename_all = "camelCase")]
        pub struct VolumeFields {
            /// Volume name.
            pub name: CompactString,
            $(
                $(#[doc = $doc])*
                #[serde($($($serde)*,)? skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl Volume {
            $(
                #[doc = concat!("The `", stringify!($field), "` source, if set.")]
                pub fn $field(&self) -> Option<&$ty> {
                    match &self.source {
                        $(StoredSource::$variant(x) => Some(std::borrow::Borrow::borrow(x)),)?
                        $(StoredSource::$unit => Some(&Present {}),)?
                        StoredSource::All(all) => all.$field.as_ref(),
                        _ => None,
                    }
                }
            )*

            /// The volume as written: name and every source.
            pub fn fields(&self) -> VolumeFields {
                let mut fields = VolumeFields::default();
                match &self.source {
                    $($(StoredSource::$variant(x) => fields.$field = Some(std::borrow::Borrow::<$ty>::borrow(x).clone()),)?)*
                    $($(StoredSource::$unit => fields.$field = Some(Present {}),)?)*
                    StoredSource::All(all) => fields = (**all).clone(),
                    StoredSource::None => {}
                }
                fields.name = self.name.clone();
                fields
            }
        }

        impl From<VolumeFields> for Volume {
            fn from(mut fields: VolumeFields) -> Volume {
                let name = std::mem::take(&mut fields.name);
                let none = VolumeFields::default();
                let source = 'compact: {
                    if fields == none {
                        break 'compact StoredSource::None;
                    }
                    // A volume whose only source is one stored inline becomes that variant.
                    #[cfg(feature = "mutants")]
                    let keep_first = crate::mutants::active(crate::mutants::Mutant::VolumeKeepFirstSource);
                    #[cfg(not(feature = "mutants"))]
                    let keep_first = false;
                    $($(
                        if let Some(x) = fields.$field.take() {
                            if keep_first || fields == none {
                                break 'compact StoredSource::$variant(x.into());
                            }
                            fields.$field = Some(x);
                        }
                    )?)*
                    $($(
                        if let Some(x) = fields.$field.take() {
                            if fields == none {
                                break 'compact StoredSource::$unit;
                            }
                            fields.$field = Some(x);
                        }
                    )?)*
                    StoredSource::All(Box::new(fields))
                };
                Volume { name, source }
            }
        }
    };
}

volume_sources! {
    /// Azure File (`secretName`).
    azure_file: AzureFileVolume;
    /// CephFS.
    cephfs: SecretRefHolder;
    /// Cinder.
    cinder: SecretRefHolder;
    /// FlexVolume.
    flex_volume: SecretRefHolder;
    /// Projected sources.
    projected: ProjectedVolume => Projected;
    /// RBD.
    rbd: SecretRefHolder;
    /// Secret.
    secret: SecretVolume => Secret;
    /// ScaleIO.
    #[serde(rename = "scaleIO")]
    scale_io: SecretRefHolder;
    /// iSCSI.
    iscsi: SecretRefHolder;
    /// StorageOS.
    storageos: SecretRefHolder;
    /// CSI inline volume.
    csi: CsiVolume => Csi;
    /// ConfigMap.
    config_map: NameRef => ConfigMap;
    /// PersistentVolumeClaim.
    persistent_volume_claim: PvcVolume => PersistentVolumeClaim;
    /// Generic ephemeral volume (claim `<pod>-<volume>`).
    ephemeral: EphemeralVolume => Ephemeral;
    // Sources below reference no API object; NodeRestriction tells them apart from those
    // that do, and follows the migratable in-tree disks to their CSI drivers.
    /// AWS EBS (migratable to `ebs.csi.aws.com`).
    aws_elastic_block_store: AwsEbsVolume;
    /// Azure Disk (migratable to `disk.csi.azure.com`).
    azure_disk: AzureDiskVolume;
    /// GCE PD (migratable to `pd.csi.storage.gke.io`).
    gce_persistent_disk: Present;
    /// vSphere (migratable to `csi.vsphere.vmware.com`).
    vsphere_volume: Present;
    /// Portworx (migratable to `pxd.portworx.com`).
    portworx_volume: Present;
    /// Downward API.
    #[serde(rename = "downwardAPI")]
    downward_api: Present | DownwardApi;
    /// emptyDir.
    empty_dir: Present | EmptyDir;
    /// Fibre channel.
    fc: Present;
    /// Flocker.
    flocker: Present;
    /// gitRepo.
    git_repo: Present;
    /// hostPath.
    host_path: Present | HostPath;
    /// OCI image.
    image: Present;
    /// NFS.
    nfs: Present;
    /// Photon PD.
    photon_persistent_disk: Present;
    /// Quobyte.
    quobyte: Present;
    /// GlusterFS (references an Endpoints object).
    glusterfs: Present;
}

impl Serialize for Volume {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Volume {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        VolumeFields::deserialize(deserializer).map(Volume::from)
    }
}

/// `awsElasticBlockStore`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AwsEbsVolume {
    /// `aws://zone/vol-…` or a bare volume id.
    #[serde(rename = "volumeID")]
    pub volume_id: CompactString,
}

/// `azureDisk`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AzureDiskVolume {
    /// Disk kind; only `Managed` (any case) migrates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<CompactString>,
}

/// `ephemeral` volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EphemeralVolume {
    /// The claim template; NodeRestriction follows the claim only when it is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_claim_template: Option<Present>,
}

/// `azureFile` volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AzureFileVolume {
    /// Secret holding the account key.
    pub secret_name: CompactString,
}

/// `secret` volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretVolume {
    /// The secret.
    pub secret_name: CompactString,
}

/// `csi` inline volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsiVolume {
    /// Driver name.
    pub driver: CompactString,
    /// Secret passed to NodePublish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_publish_secret_ref: Option<NameRef>,
}

/// `persistentVolumeClaim` volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvcVolume {
    /// The claim.
    pub claim_name: CompactString,
}

/// `projected` volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectedVolume {
    /// The projected sources.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub sources: Vec<VolumeProjection>,
}

/// One projected source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeProjection {
    /// A secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<NameRef>,
    /// A configmap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<NameRef>,
    /// A service-account token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_token: Option<ServiceAccountTokenProjection>,
    /// Downward API items.
    #[serde(rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<Present>,
    /// A cluster trust bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_trust_bundle: Option<Present>,
    /// A pod certificate (boxed: rare, and every projection carries the field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_certificate: Option<Box<PodCertificateProjection>>,
}

/// `projected.sources[].serviceAccountToken`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceAccountTokenProjection {
    /// Token audience (empty: the apiserver's).
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub audience: CompactString,
}

/// `projected.sources[].podCertificate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodCertificateProjection {
    /// Signer.
    pub signer_name: CompactString,
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistentVolumeClaim {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PvcSpec,
}

/// PVC spec fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvcSpec {
    /// Bound volume.
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub volume_name: CompactString,
}
