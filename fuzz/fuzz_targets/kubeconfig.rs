//! Kubeconfig and client-certificate reading (`kauthz_kube::identity`), as
//! `--as-kubeconfig` reads a credential: the kubeconfig text parsed as kube's `Kubeconfig`,
//! the context chosen, inline `client-certificate-data` decoded, and the certificate's
//! subject read as user (CN) and groups (O). Files the kubeconfig names are served from
//! memory (two real certificates, one expired; anything else is missing), so the target
//! never touches the file system.
//!
//! Input: the first byte picks the context (none, `ctx`, `other`, `nope`), the second the
//! time to validate at; the rest is the kubeconfig (YAML or JSON). Inputs starting with
//! `-----BEGIN` are also read as a PEM certificate directly.
//!
//! Invariants: deterministic; every error names the kubeconfig; a certificate identity is
//! only given inside the certificate's validity, and an expiry names the certificate's
//! user; reading a certificate directly agrees with reading it through a kubeconfig's
//! inline data.
#![no_main]

use std::path::Path;

use base64::Engine as _;
use kauthz_kube::identity::{CertError, Kubeconfig, certificate_identity, identity_of};
use kauthz_kube::{CredentialIdentity, IdentityError};
use libfuzzer_sys::fuzz_target;

const NODE_CERT: &str = include_str!("../../crates/kauthz-kube/testdata/node-n1.crt");
const EXPIRED_CERT: &str = include_str!("../../crates/kauthz-kube/testdata/expired.crt");
const TIMES: [i64; 4] = [0, 1_500_000_000, 1_800_000_000, i64::MAX];

fn read(file: &str) -> std::io::Result<Vec<u8>> {
    match file {
        "node.crt" | "/certs/node.crt" => Ok(NODE_CERT.as_bytes().to_vec()),
        "expired.crt" => Ok(EXPIRED_CERT.as_bytes().to_vec()),
        "token" => Ok(b" abc.def \n".to_vec()),
        "binary" => Ok(vec![0xff, 0xfe]),
        _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")),
    }
}

fn check_certificate(pem: &[u8], at: i64) -> Result<CredentialIdentity, CertError> {
    let got = certificate_identity(pem, at);
    assert_eq!(got, certificate_identity(pem, at), "deterministic");
    match &got {
        Ok(CredentialIdentity::Certificate { not_after, .. }) => assert!(at <= *not_after, "identity from an expired certificate"),
        Ok(CredentialIdentity::Token(_)) => panic!("a certificate read as a token"),
        Err(CertError::Bad(m)) => assert!(!m.is_empty()),
        Err(CertError::Expired { when, .. }) => {
            assert!(when.starts_with("expired at") || when.starts_with("is not valid before"), "{when}")
        }
    }
    got
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let context = [None, Some("ctx"), Some("other"), Some("nope")][data[0] as usize % 4];
    let at = TIMES[data[1] as usize % TIMES.len()];
    let body = &data[2..];
    if body.starts_with(b"-----BEGIN") {
        let direct = check_certificate(body, at);
        // The same bytes as a kubeconfig's inline data give the same identity (or error).
        if at == 1_800_000_000 {
            let data64 = base64::engine::general_purpose::STANDARD.encode(body);
            let text = format!(
                "apiVersion: v1\nkind: Config\ncontexts:\n- name: ctx\n  context: {{cluster: c, user: u}}\ncurrent-context: ctx\nusers:\n- name: u\n  user:\n    client-certificate-data: {data64}\n"
            );
            let config = Kubeconfig::from_yaml(&text).expect("a generated kubeconfig parses");
            let via = identity_of(Path::new("gen.kubeconfig"), &config, None, &read);
            match (&direct, &via) {
                (Ok(a), Ok(b)) => assert!(
                    matches!((a, b), (CredentialIdentity::Certificate { user: x, .. }, CredentialIdentity::Certificate { .. }) if matches!(b, CredentialIdentity::Certificate { user: y, .. } if x == y))
                ),
                (Err(CertError::Bad(_)), Err(IdentityError::BadCertificate { .. })) => {}
                (Err(CertError::Expired { .. }), Err(IdentityError::Expired { .. })) => {}
                // Valid only "now" (the kubeconfig path checks against the clock).
                (Ok(_), Err(IdentityError::Expired { .. })) | (Err(CertError::Expired { .. }), Ok(_)) => {}
                (a, b) => panic!("direct {a:?} vs kubeconfig {b:?}"),
            }
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(body) else { return };
    let config = match Kubeconfig::from_yaml(text) {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let path = Path::new("fuzz.kubeconfig");
    let got = identity_of(path, &config, context, &read);
    let again = identity_of(path, &config, context, &read);
    assert_eq!(format!("{got:?}"), format!("{again:?}"), "deterministic");
    match got {
        Ok(CredentialIdentity::Certificate { .. } | CredentialIdentity::Token(_)) => {}
        Err(e) => {
            let message = e.to_string();
            assert!(message.starts_with("fuzz.kubeconfig: "), "the error names the kubeconfig: {message}");
            if let IdentityError::Expired { user, .. } = &e {
                assert!(message.contains(&format!("{user:?}")), "{message}");
            }
        }
    }
});
