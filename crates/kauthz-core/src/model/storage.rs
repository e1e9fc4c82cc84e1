//! Storage, DRA, coordination and certificate objects the Node authorizer relates to nodes.

use serde::{Deserialize, Serialize};

use super::{CompactString, NamespacedRef, ObjectMeta};

/// A `secretRef: {name, namespace}` holder used by PV sources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvSecretRefHolder {
    /// The referenced secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NamespacedRef>,
}

/// A PersistentVolume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistentVolume {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PvSpec,
}

/// PV spec: the claim reference and every secret-carrying source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvSpec {
    /// The claim this volume is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_ref: Option<NamespacedRef>,
    /// Azure File.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<PvAzureFile>,
    /// CephFS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cephfs: Option<PvSecretRefHolder>,
    /// Cinder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cinder: Option<PvSecretRefHolder>,
    /// FlexVolume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flex_volume: Option<PvSecretRefHolder>,
    /// RBD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rbd: Option<PvSecretRefHolder>,
    /// ScaleIO.
    #[serde(rename = "scaleIO", skip_serializing_if = "Option::is_none")]
    pub scale_io: Option<PvSecretRefHolder>,
    /// iSCSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iscsi: Option<PvSecretRefHolder>,
    /// StorageOS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storageos: Option<PvSecretRefHolder>,
    /// CSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csi: Option<PvCsi>,
    /// AWS EBS (migratable to CSI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_elastic_block_store: Option<Box<super::AwsEbsVolume>>,
    /// Azure Disk (migratable to CSI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_disk: Option<Box<super::AzureDiskVolume>>,
    /// GCE PD (migratable to CSI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gce_persistent_disk: Option<super::Present>,
    /// vSphere (migratable to CSI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vsphere_volume: Option<super::Present>,
    /// Portworx (migratable to CSI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portworx_volume: Option<super::Present>,
}

/// PV `azureFile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvAzureFile {
    /// Secret name.
    pub secret_name: CompactString,
    /// Secret namespace; defaults to the claim's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_namespace: Option<CompactString>,
}

/// PV `csi`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PvCsi {
    /// Driver name.
    pub driver: CompactString,
    /// Controller publish secret (not visible to kubelets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_publish_secret_ref: Option<NamespacedRef>,
    /// Controller expand secret (not visible to kubelets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_expand_secret_ref: Option<NamespacedRef>,
    /// Node publish secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_publish_secret_ref: Option<NamespacedRef>,
    /// Node stage secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_stage_secret_ref: Option<NamespacedRef>,
    /// Node expand secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_expand_secret_ref: Option<NamespacedRef>,
}

/// A VolumeAttachment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VolumeAttachment {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: VolumeAttachmentSpec,
}

/// VolumeAttachment spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeAttachmentSpec {
    /// Attacher (CSI driver).
    pub attacher: CompactString,
    /// Node the volume attaches to.
    pub node_name: CompactString,
    /// What is attached.
    pub source: VolumeAttachmentSource,
}

/// VolumeAttachment source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeAttachmentSource {
    /// The attached PV, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_volume_name: Option<CompactString>,
}

/// A CSINode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsiNode {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A CSIDriver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsiDriver {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: CsiDriverSpec,
}

/// CSIDriver spec fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsiDriverSpec {
    /// Service-account tokens the driver asks kubelets for.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub token_requests: Vec<CsiTokenRequest>,
}

/// `spec.tokenRequests[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsiTokenRequest {
    /// Audience.
    pub audience: CompactString,
}

/// A ResourceClaim.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceClaim {
    /// Metadata.
    pub metadata: ObjectMeta,
}

/// A ResourceSlice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceSlice {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: ResourceSliceSpec,
}

/// ResourceSlice spec fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceSliceSpec {
    /// Driver.
    pub driver: CompactString,
    /// Node the slice belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_name: Option<CompactString>,
    /// Whether the slice applies to all nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_nodes: Option<bool>,
}

/// A PodCertificateRequest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PodCertificateRequest {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PodCertificateRequestSpec,
}

/// PodCertificateRequest spec fields kauthz reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodCertificateRequestSpec {
    /// Signer.
    pub signer_name: CompactString,
    /// Requesting pod.
    pub pod_name: CompactString,
    /// Requesting pod's uid.
    #[serde(rename = "podUID")]
    pub pod_uid: CompactString,
    /// Service account.
    pub service_account_name: CompactString,
    /// Service account uid.
    #[serde(rename = "serviceAccountUID")]
    pub service_account_uid: CompactString,
    /// Node.
    pub node_name: CompactString,
    /// Node uid.
    #[serde(rename = "nodeUID")]
    pub node_uid: CompactString,
}
