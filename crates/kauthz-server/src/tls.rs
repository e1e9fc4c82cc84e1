//! TLS from PEM files, reloaded when the files change (certificate rotation without a
//! restart), with optional client-certificate authentication of the apiserver.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::ServerError;

/// The serving certificate, its key, and an optional client CA bundle.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// `--tls-cert-file`.
    pub cert: PathBuf,
    /// `--tls-private-key-file`.
    pub key: PathBuf,
    /// `--client-ca-file`: when set, clients must present a certificate it signed.
    pub client_ca: Option<PathBuf>,
}

fn err(path: &std::path::Path, message: impl std::fmt::Display) -> ServerError {
    ServerError::Tls { path: path.display().to_string(), message: message.to_string() }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsFiles {
    fn modified(&self) -> Vec<Option<SystemTime>> {
        [Some(&self.cert), Some(&self.key), self.client_ca.as_ref()]
            .into_iter()
            .map(|p| p.and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()))
            .collect()
    }

    /// Builds an acceptor from the files as they are now.
    pub fn acceptor(&self) -> Result<TlsAcceptor, ServerError> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&self.cert)
            .map_err(|e| err(&self.cert, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| err(&self.cert, e))?;
        if certs.is_empty() {
            return Err(err(&self.cert, "no certificate found"));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| err(&self.key, e))?;
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| err(&self.cert, e))?;
        let builder = match &self.client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in CertificateDer::pem_file_iter(ca).map_err(|e| err(ca, e))? {
                    roots.add(c.map_err(|e| err(ca, e))?).map_err(|e| err(ca, e))?;
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                    .build()
                    .map_err(|e| err(ca, e))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder.with_single_cert(certs, key).map_err(|e| err(&self.key, e))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// The current acceptor, rebuilt when a file's modification time changes. A rotation
/// that leaves the files unusable keeps the previous acceptor (and says so).
pub(crate) struct Reloading {
    files: TlsFiles,
    current: RwLock<(Vec<Option<SystemTime>>, TlsAcceptor)>,
}

impl Reloading {
    pub(crate) fn new(files: TlsFiles) -> Result<Self, ServerError> {
        let stamp = files.modified();
        let acceptor = files.acceptor()?;
        Ok(Reloading { files, current: RwLock::new((stamp, acceptor)) })
    }

    /// The acceptor for a new connection.
    pub(crate) fn get(&self) -> TlsAcceptor {
        let stamp = self.files.modified();
        {
            let cur = self.current.read().unwrap_or_else(|e| e.into_inner());
            if cur.0 == stamp {
                return cur.1.clone();
            }
        }
        let mut cur = self.current.write().unwrap_or_else(|e| e.into_inner());
        match self.files.acceptor() {
            Ok(a) => {
                eprintln!("kauthz serve: TLS files changed, reloaded");
                *cur = (stamp, a);
            }
            Err(e) => {
                eprintln!("kauthz serve: TLS files changed but cannot be used ({e}); keeping the previous certificate");
                cur.0 = stamp;
            }
        }
        cur.1.clone()
    }
}
