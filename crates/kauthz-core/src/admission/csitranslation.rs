//! Which CSI driver serves an in-tree volume once migrated (upstream
//! `k8s.io/csi-translation-lib`), and the translation errors NodeRestriction reports when
//! it follows a token audience through such a volume.

use std::collections::BTreeSet;

use crate::model::{AzureDiskVolume, PersistentVolume, Volume};

const AWS_EBS: &str = "ebs.csi.aws.com";
const AZURE_DISK: &str = "disk.csi.azure.com";
const AZURE_FILE: &str = "file.csi.azure.com";
const GCE_PD: &str = "pd.csi.storage.gke.io";
const CINDER: &str = "cinder.csi.openstack.org";
const VSPHERE: &str = "csi.vsphere.vmware.com";
const PORTWORX: &str = "pxd.portworx.com";

/// The migrated driver of an inline pod volume: `None` when no in-tree plugin supports
/// it, `Some(Err)` with upstream's message when translation fails.
pub(crate) fn inline_driver(v: &Volume) -> Option<Result<&'static str, String>> {
    if let Some(ebs) = v.aws_elastic_block_store() {
        return Some(ebs_volume_id(&ebs.volume_id).map(|_| AWS_EBS));
    }
    if let Some(disk) = v.azure_disk() {
        return Some(azure_disk_kind(disk).map(|_| AZURE_DISK));
    }
    let driver = if v.azure_file().is_some() {
        AZURE_FILE
    } else if v.gce_persistent_disk().is_some() {
        GCE_PD
    } else if v.cinder().is_some() {
        CINDER
    } else if v.vsphere_volume().is_some() {
        VSPHERE
    } else if v.portworx_volume().is_some() {
        PORTWORX
    } else {
        return None;
    };
    Some(Ok(driver))
}

/// The migrated driver of an in-tree PersistentVolume, as [`inline_driver`].
pub(crate) fn pv_driver(pv: &PersistentVolume) -> Option<Result<&'static str, String>> {
    let spec = &pv.spec;
    if let Some(ebs) = &spec.aws_elastic_block_store {
        return Some(ebs_volume_id(&ebs.volume_id).map(|_| AWS_EBS));
    }
    if spec.gce_persistent_disk.is_some() {
        return Some(gce_zones(pv).map(|_| GCE_PD));
    }
    if spec.cinder.is_some() {
        return Some(Ok(CINDER));
    }
    if let Some(disk) = &spec.azure_disk {
        return Some(azure_disk_kind(disk).map(|_| AZURE_DISK));
    }
    if let Some(file) = &spec.azure_file {
        let namespace = match &file.secret_namespace {
            Some(ns) => ns.as_str(),
            None => spec.claim_ref.as_ref().map_or("", |c| c.namespace.as_str()),
        };
        if namespace.is_empty() {
            return Some(Err("could not find a secret namespace in PersistentVolumeSource or ClaimRef".into()));
        }
        return Some(Ok(AZURE_FILE));
    }
    if spec.vsphere_volume.is_some() {
        return Some(Ok(VSPHERE));
    }
    if spec.portworx_volume.is_some() {
        return Some(Ok(PORTWORX));
    }
    None
}

/// `aws://<zone>/<vol-…>` or a bare id; the URL form must name a `vol-` id.
fn ebs_volume_id(id: &str) -> Result<(), String> {
    let Some(rest) = id.strip_prefix("aws://") else {
        return Ok(());
    };
    // The URL's path: everything after the host, without the query or fragment.
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let vol = path.trim_matches('/');
    if vol.starts_with("vol-") && !vol.contains('/') {
        Ok(())
    } else {
        Err(format!("failed to translate Kubernetes ID to EBS Volume ID Invalid format for AWS volume ({id})"))
    }
}

fn azure_disk_kind(disk: &AzureDiskVolume) -> Result<(), String> {
    match &disk.kind {
        Some(kind) if !kind.eq_ignore_ascii_case("managed") => Err(format!("kind({kind}) is not supported in csi migration")),
        _ => Ok(()),
    }
}

/// A regional GCE PD (zones joined by `__` in its zone label) must name zones of one region.
fn gce_zones(pv: &PersistentVolume) -> Result<(), String> {
    let labels = &pv.metadata.labels;
    let zones = labels
        .get("failure-domain.beta.kubernetes.io/zone")
        .filter(|z| !z.is_empty())
        .or_else(|| labels.get("topology.kubernetes.io/zone"))
        .unwrap_or("");
    let zones: Vec<&str> = zones.split("__").collect();
    if zones.len() < 2 {
        return Ok(());
    }
    let mut regions = BTreeSet::new();
    for zone in &zones {
        let parts: Vec<&str> = zone.split('-').collect();
        if parts.len() != 3 {
            return Err(format!(
                "failed to get region from zones: zone in unexpected format, expected: {{locale}}-{{region}}-{{zone}}, got: {zone}"
            ));
        }
        regions.insert(format!("{}-{}", parts[0], parts[1]));
    }
    if regions.len() != 1 {
        let set: Vec<String> = regions.iter().map(|r| format!("{r}:{{}}")).collect();
        return Err(format!("failed to get region from zones: multiple or no regions gotten from zones, got: map[{}]", set.join(" ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AwsEbsVolume, VolumeFields};

    #[test]
    fn ebs_ids() {
        assert!(ebs_volume_id("vol-123").is_ok());
        assert!(ebs_volume_id("whatever").is_ok());
        assert!(ebs_volume_id("aws://us-east-1a/vol-123").is_ok());
        assert_eq!(
            ebs_volume_id("aws://us-east-1a/disk-1").unwrap_err(),
            "failed to translate Kubernetes ID to EBS Volume ID Invalid format for AWS volume (aws://us-east-1a/disk-1)"
        );
    }

    #[test]
    fn inline_drivers() {
        let v = Volume::from(VolumeFields {
            aws_elastic_block_store: Some(AwsEbsVolume { volume_id: "vol-1".into() }),
            ..VolumeFields::default()
        });
        assert_eq!(inline_driver(&v), Some(Ok(AWS_EBS)));
        let v = Volume::from(VolumeFields { azure_disk: Some(AzureDiskVolume { kind: Some("Shared".into()) }), ..VolumeFields::default() });
        assert_eq!(inline_driver(&v), Some(Err("kind(Shared) is not supported in csi migration".into())));
        assert_eq!(inline_driver(&Volume::default()), None);
    }

    #[test]
    fn gce_regions() {
        let mut pv = PersistentVolume::default();
        pv.spec.gce_persistent_disk = Some(crate::model::Present {});
        pv.metadata.labels.insert("topology.kubernetes.io/zone", "us-central1-a__us-east1-b");
        assert_eq!(
            pv_driver(&pv),
            Some(Err(
                "failed to get region from zones: multiple or no regions gotten from zones, got: map[us-central1:{} us-east1:{}]".into()
            ))
        );
        pv.metadata.labels.insert("topology.kubernetes.io/zone", "us-central1-a__us-central1-b");
        assert_eq!(pv_driver(&pv), Some(Ok(GCE_PD)));
    }
}
