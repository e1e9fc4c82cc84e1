//! Whose credential is this? The identity the apiserver would see for a kubeconfig: from its
//! client certificate (CN is the user, each O a group, as kube-apiserver's x509 authenticator
//! reads them), or, for a bearer token, from a TokenReview on a live cluster.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
/// The parsed kubeconfig [`identity_of`] reads (kube's type).
pub use kube::config::Kubeconfig;

/// What a kubeconfig authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialIdentity {
    /// A client certificate: the identity is in the certificate.
    Certificate {
        /// The subject's common name.
        user: String,
        /// The subject's organizations.
        groups: Vec<String>,
        /// End of validity, seconds since the epoch.
        not_after: i64,
    },
    /// A bearer token: only the apiserver knows whose (TokenReview).
    Token(String),
}

/// Why no identity could be read.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The kubeconfig could not be read.
    #[error("{path}: {message}")]
    Kubeconfig {
        /// The kubeconfig.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The certificate is not a readable X.509 PEM certificate.
    #[error("{path}: client certificate{from}: {message}")]
    BadCertificate {
        /// The kubeconfig.
        path: PathBuf,
        /// ` (FILE)` when the certificate is a file of its own.
        from: String,
        /// What went wrong.
        message: String,
    },
    /// The certificate is outside its validity period.
    #[error("{path}: client certificate{from} for {user:?} {when}: the apiserver refuses it")]
    Expired {
        /// The kubeconfig.
        path: PathBuf,
        /// ` (FILE)` when the certificate is a file of its own.
        from: String,
        /// The certificate's user.
        user: String,
        /// `expired at …` or `not valid before …`.
        when: String,
    },
    /// The user has neither a certificate nor a token (exec plugins, auth providers…).
    #[error("{path}: user {user:?} has no client certificate or token kauthz can read")]
    NoCredential {
        /// The kubeconfig.
        path: PathBuf,
        /// The kubeconfig's user entry.
        user: String,
    },
    /// A token kubeconfig was given offline.
    #[error(
        "{path}: the credential is a bearer token; its identity is known only to the apiserver (run live, without -f, for a TokenReview)"
    )]
    TokenOffline {
        /// The kubeconfig.
        path: PathBuf,
    },
    /// The TokenReview failed or did not authenticate the token.
    #[error("{path}: TokenReview: {message}")]
    TokenReview {
        /// The kubeconfig.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Reads the credential of `context` (or the current context) of the kubeconfig at `path`.
pub fn from_kubeconfig(path: &Path, context: Option<&str>) -> Result<CredentialIdentity, IdentityError> {
    let config = Kubeconfig::read_from(path).map_err(|e| IdentityError::Kubeconfig { path: path.into(), message: e.to_string() })?;
    identity_of(path, &config, context, &read_credential_file)
}

/// Largest certificate or token file read: credentials are a few kilobytes, and a path
/// naming something endless (`/dev/zero`) must fail, not fill memory.
pub const MAX_CREDENTIAL_FILE: u64 = 1 << 20;

/// Reads a certificate or token file a kubeconfig names: devices and sockets are refused
/// (a FIFO is a caller's pipe), and at most [`MAX_CREDENTIAL_FILE`] bytes are read.
pub fn read_credential_file(file: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let opened = std::fs::File::open(file)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = opened.metadata()?.file_type();
        if t.is_char_device() || t.is_block_device() || t.is_socket() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "a device or socket, not a file"));
        }
    }
    let mut bytes = Vec::new();
    opened.take(MAX_CREDENTIAL_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CREDENTIAL_FILE {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {MAX_CREDENTIAL_FILE} bytes")));
    }
    Ok(bytes)
}

/// The credential of `context` (or the current context) of a parsed kubeconfig; `path`
/// names it in errors, and `read` reads the certificate or token files it names (the file
/// system through [`read_credential_file`] in [`from_kubeconfig`]; fuzzing passes its own).
pub fn identity_of(
    path: &Path,
    config: &Kubeconfig,
    context: Option<&str>,
    read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
) -> Result<CredentialIdentity, IdentityError> {
    let fail = |message: String| IdentityError::Kubeconfig { path: path.into(), message };
    let context_name = context
        .map(String::from)
        .or_else(|| config.current_context.clone())
        .or_else(|| (config.contexts.len() == 1).then(|| config.contexts[0].name.clone()));
    let user_name = match &context_name {
        Some(name) => {
            let ctx = config.contexts.iter().find(|c| &c.name == name).ok_or_else(|| fail(format!("context {name:?} not found")))?;
            ctx.context.as_ref().and_then(|c| c.user.clone()).ok_or_else(|| fail(format!("context {name:?} names no user")))?
        }
        None if config.auth_infos.len() == 1 => config.auth_infos[0].name.clone(),
        None => return Err(fail("no current-context, and more than one user".into())),
    };
    let auth = config
        .auth_infos
        .iter()
        .find(|a| a.name == user_name)
        .and_then(|a| a.auth_info.clone())
        .ok_or_else(|| fail(format!("user {user_name:?} not found")))?;

    let (pem, from) = if let Some(data) = &auth.client_certificate_data {
        let bytes = base64::engine::general_purpose::STANDARD.decode(data.trim()).map_err(|e| IdentityError::BadCertificate {
            path: path.into(),
            from: String::new(),
            message: format!("client-certificate-data is not base64: {e}"),
        })?;
        (bytes, String::new())
    } else if let Some(file) = &auth.client_certificate {
        let from = format!(" ({file})");
        let bytes = read(file).map_err(|e| IdentityError::BadCertificate {
            path: path.into(),
            from: from.clone(),
            message: format!("cannot read: {e}"),
        })?;
        (bytes, from)
    } else if let Some(token) = &auth.token {
        use secrecy::ExposeSecret as _;
        return Ok(CredentialIdentity::Token(token.expose_secret().trim().to_string()));
    } else if let Some(file) = &auth.token_file {
        let token = read(file)
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
            })
            .map_err(|e| fail(format!("token file {file}: {e}")))?;
        return Ok(CredentialIdentity::Token(token.trim().to_string()));
    } else {
        return Err(IdentityError::NoCredential { path: path.into(), user: user_name });
    };
    certificate_identity(&pem, now()).map_err(|e| match e {
        CertError::Bad(message) => IdentityError::BadCertificate { path: path.into(), from, message },
        CertError::Expired { user, when } => IdentityError::Expired { path: path.into(), from, user, when },
    })
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Why a certificate gives no identity.
#[derive(Debug, PartialEq, Eq)]
pub enum CertError {
    /// Not a certificate kauthz can read.
    Bad(String),
    /// Outside its validity period at the time asked.
    Expired {
        /// The certificate's CN.
        user: String,
        /// `expired at …` / `not valid before …`.
        when: String,
    },
}

/// The user (CN) and groups (O) of the first certificate of a PEM bundle, valid at `at`
/// (seconds since the epoch).
pub fn certificate_identity(pem: &[u8], at: i64) -> Result<CredentialIdentity, CertError> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).map_err(|e| CertError::Bad(format!("not a PEM certificate: {e}")))?;
    if pem.label != "CERTIFICATE" {
        return Err(CertError::Bad(format!("PEM block is {:?}, not CERTIFICATE", pem.label)));
    }
    let cert = pem.parse_x509().map_err(|e| CertError::Bad(format!("not an X.509 certificate: {e}")))?;
    let subject = cert.subject();
    let user = subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .ok_or_else(|| CertError::Bad("the subject has no common name (CN), so no user".into()))?
        .to_string();
    let groups = subject.iter_organization().filter_map(|o| o.as_str().ok()).map(String::from).collect();
    let validity = cert.validity();
    let (not_before, not_after) = (validity.not_before.timestamp(), validity.not_after.timestamp());
    if at > not_after {
        return Err(CertError::Expired { user, when: format!("expired at {}", validity.not_after) });
    }
    if at < not_before {
        return Err(CertError::Expired { user, when: format!("is not valid before {}", validity.not_before) });
    }
    Ok(CredentialIdentity::Certificate { user, groups, not_after })
}

/// Asks the apiserver whose `token` is (`authentication.k8s.io/v1` TokenReview): the user
/// name and groups it authenticates as.
pub async fn token_review(client: &kube::Client, path: &Path, token: &str) -> Result<(String, Vec<String>), IdentityError> {
    let fail = |message: String| IdentityError::TokenReview { path: path.into(), message };
    let body = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}});
    let req = http::Request::post("/apis/authentication.k8s.io/v1/tokenreviews")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).map_err(|e| fail(e.to_string()))?)
        .map_err(|e| fail(e.to_string()))?;
    let answer: serde_json::Value = client.request(req).await.map_err(|e| fail(e.to_string()))?;
    let status = &answer["status"];
    if status["authenticated"] != true {
        let why = status["error"].as_str().filter(|e| !e.is_empty()).unwrap_or("the token does not authenticate");
        return Err(fail(why.to_string()));
    }
    let user = status["user"]["username"].as_str().unwrap_or_default().to_string();
    let groups =
        status["user"]["groups"].as_array().map(|g| g.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    Ok((user, groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE_CERT: &str = include_str!("../testdata/node-n1.crt");
    const EXPIRED_CERT: &str = include_str!("../testdata/expired.crt");

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kauthz-kube-identity-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn kubeconfig(user: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n- name: other\n  context:\n    cluster: c\n    user: t\ncurrent-context: ctx\nusers:\n- name: u\n  user:\n{user}\n- name: t\n  user:\n    token: abc.def\n"
        )
    }

    #[test]
    fn certificate_subject_is_the_identity() {
        let id = certificate_identity(NODE_CERT.as_bytes(), 1_800_000_000).unwrap();
        let CredentialIdentity::Certificate { user, groups, .. } = id else { panic!() };
        assert_eq!(user, "system:node:n1");
        assert_eq!(groups, ["system:nodes", "team-a"]);
        let err = certificate_identity(EXPIRED_CERT.as_bytes(), 1_800_000_000).unwrap_err();
        assert!(
            matches!(&err, CertError::Expired { user, when } if user == "system:node:expired" && when.starts_with("expired at ")),
            "{err:?}"
        );
        let err = certificate_identity(EXPIRED_CERT.as_bytes(), 1_500_000_000).unwrap_err();
        assert!(matches!(&err, CertError::Expired { when, .. } if when.starts_with("is not valid before")), "{err:?}");
        assert!(matches!(certificate_identity(b"hello", 0), Err(CertError::Bad(_))));
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(certificate_identity(key.as_bytes(), 0), Err(CertError::Bad(m)) if m.contains("not CERTIFICATE")));
    }

    #[test]
    fn inline_and_file_certificates_and_tokens() {
        let dir = tmp("kc");
        let inline = dir.join("inline.conf");
        let data = base64::engine::general_purpose::STANDARD.encode(NODE_CERT);
        std::fs::write(&inline, kubeconfig(&format!("    client-certificate-data: {data}\n    client-key-data: AAAA"))).unwrap();
        let id = from_kubeconfig(&inline, None).unwrap();
        assert!(matches!(&id, CredentialIdentity::Certificate { user, .. } if user == "system:node:n1"), "{id:?}");
        assert_eq!(from_kubeconfig(&inline, Some("other")).unwrap(), CredentialIdentity::Token("abc.def".into()));

        // A relative certificate path is relative to the kubeconfig, as kubectl reads it.
        std::fs::write(dir.join("node.crt"), NODE_CERT).unwrap();
        let by_file = dir.join("file.conf");
        std::fs::write(&by_file, kubeconfig("    client-certificate: node.crt\n    client-key: node.key")).unwrap();
        assert!(matches!(from_kubeconfig(&by_file, None).unwrap(), CredentialIdentity::Certificate { .. }));

        // Expired and unreadable certificates name the kubeconfig and the certificate file.
        std::fs::write(dir.join("expired.crt"), EXPIRED_CERT).unwrap();
        let expired = dir.join("expired.conf");
        std::fs::write(&expired, kubeconfig("    client-certificate: expired.crt\n    client-key: x.key")).unwrap();
        let msg = from_kubeconfig(&expired, None).unwrap_err().to_string();
        assert!(msg.contains(&expired.display().to_string()) && msg.contains("expired.crt") && msg.contains("expired at"), "{msg}");
        let missing = dir.join("missing.conf");
        std::fs::write(&missing, kubeconfig("    client-certificate: nope.crt\n    client-key: x.key")).unwrap();
        let msg = from_kubeconfig(&missing, None).unwrap_err().to_string();
        assert!(msg.contains("nope.crt") && msg.contains("cannot read"), "{msg}");
        let garbage = dir.join("garbage.conf");
        std::fs::write(&garbage, kubeconfig("    client-certificate-data: aGVsbG8=")).unwrap();
        assert!(matches!(from_kubeconfig(&garbage, None), Err(IdentityError::BadCertificate { .. })));

        let none = dir.join("none.conf");
        std::fs::write(&none, kubeconfig("    username: admin")).unwrap();
        assert!(matches!(from_kubeconfig(&none, None), Err(IdentityError::NoCredential { .. })));
        assert!(matches!(from_kubeconfig(&dir.join("absent.conf"), None), Err(IdentityError::Kubeconfig { .. })));
        assert!(from_kubeconfig(&inline, Some("nope")).unwrap_err().to_string().contains("context \"nope\" not found"));

        // A credential path naming a device fails instead of reading forever.
        let zero = dir.join("zero.conf");
        std::fs::write(&zero, kubeconfig("    client-certificate: /dev/zero\n    client-key: x.key")).unwrap();
        let msg = from_kubeconfig(&zero, None).unwrap_err().to_string();
        assert!(msg.contains("/dev/zero") && msg.contains("not a file"), "{msg}");
        let big = dir.join("big.token");
        std::fs::write(&big, vec![b'a'; MAX_CREDENTIAL_FILE as usize + 1]).unwrap();
        let token_file = dir.join("token-file.conf");
        std::fs::write(&token_file, kubeconfig(&format!("    tokenFile: {}", big.display()))).unwrap();
        let msg = from_kubeconfig(&token_file, None).unwrap_err().to_string();
        assert!(msg.contains("big.token") && msg.contains("larger than"), "{msg}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
