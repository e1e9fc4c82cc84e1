//! The HTTPS layer end to end on loopback: TLS reload when the files change, client
//! certificates, bounded bodies, keep-alive.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kauthz_core::admission::NodeRestriction;
use kauthz_core::chain::Chain;
use kauthz_core::enforce::Mode;
use kauthz_core::state::ClusterState;
use kauthz_server::{Limits, Shared, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

struct Pki {
    dir: PathBuf,
    ca_cert: rcgen::Certificate,
    ca_params: CertificateParams,
    ca_key: KeyPair,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!("kauthz-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "kauthz test CA");
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = params.self_signed(&ca_key).unwrap();
        std::fs::write(dir.join("ca.crt"), ca_cert.pem()).unwrap();
        Pki { dir, ca_cert, ca_params: params, ca_key }
    }

    /// Writes a leaf certificate and key as `<stem>.crt` / `<stem>.key`.
    fn leaf(&self, stem: &str, cn: &str, sans: &[&str]) -> (PathBuf, PathBuf) {
        let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        let (c, k) = (self.dir.join(format!("{stem}.crt")), self.dir.join(format!("{stem}.key")));
        std::fs::write(&c, cert.pem()).unwrap();
        std::fs::write(&k, key.serialize_pem()).unwrap();
        (c, k)
    }
}

async fn start(tls: TlsFiles) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let served = kauthz_server::served(Chain::default(), ClusterState::new(), NodeRestriction::default(), Mode::Strict);
    let shared = Arc::new(Shared::new(served, None));
    shared.mark_synced();
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        kauthz_server::serve(
            "127.0.0.1:0".parse().unwrap(),
            Some(tls),
            shared,
            Limits::default(),
            async move {
                let _ = stop_rx.await;
            },
            |a| {
                let _ = addr_tx.send(a);
            },
        )
        .await
        .unwrap();
    });
    (addr_rx.await.unwrap(), stop_tx)
}

fn connector(pki: &Pki, client: Option<(PathBuf, PathBuf)>) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_cert.der().clone()).unwrap();
    let builder =
        rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().unwrap().with_root_certificates(roots);
    let config = match client {
        None => builder.with_no_client_auth(),
        Some((c, k)) => {
            use rustls::pki_types::pem::PemObject;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(c).unwrap().map(Result::unwrap).collect();
            builder.with_client_auth_cert(certs, PrivateKeyDer::from_pem_file(k).unwrap()).unwrap()
        }
    };
    TlsConnector::from(Arc::new(config))
}

/// One HTTP/1.1 request on a fresh TLS connection: the response head and the server
/// certificate's DER.
async fn get(connector: &TlsConnector, addr: SocketAddr, request: &[u8]) -> std::io::Result<(String, Vec<u8>)> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await?;
    let peer = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec()).unwrap_or_default();
    tls.write_all(request).await?;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf)).await??;
    Ok((String::from_utf8_lossy(&buf[..n]).into_owned(), peer))
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn reloads_rotated_certificates() {
    let pki = Pki::new("reload");
    let (cert, key) = pki.leaf("serving", "kauthz-1", &["localhost"]);
    let (addr, stop) = start(TlsFiles { cert: cert.clone(), key: key.clone(), client_ca: None }).await;
    let c = connector(&pki, None);
    let (head, first) = get(&c, addr, HEALTHZ).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // Rotate: a new certificate and key in place of the old ones (mtime changes).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pki.leaf("serving", "kauthz-2", &["localhost"]);
    let (head, second) = get(&c, addr, HEALTHZ).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_ne!(first, second, "new connections get the rotated certificate");
    // A broken rotation keeps serving the last good certificate.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&cert, "garbage").unwrap();
    let (_, third) = get(&c, addr, HEALTHZ).await.unwrap();
    assert_eq!(second, third);
    let _ = stop.send(());
}

#[tokio::test]
async fn client_certificates_are_required_with_a_client_ca() {
    let pki = Pki::new("mtls");
    let (cert, key) = pki.leaf("serving", "kauthz", &["localhost"]);
    let client = pki.leaf("apiserver", "kube-apiserver", &[]);
    let (addr, stop) = start(TlsFiles { cert, key, client_ca: Some(pki.dir.join("ca.crt")) }).await;
    assert!(get(&connector(&pki, None), addr, HEALTHZ).await.is_err(), "no client certificate: refused");
    let (head, _) = get(&connector(&pki, Some(client)), addr, HEALTHZ).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let _ = stop.send(());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let pki = Pki::new("body");
    let (cert, key) = pki.leaf("serving", "kauthz", &["localhost"]);
    let (addr, stop) = start(TlsFiles { cert, key, client_ca: None }).await;
    let body = vec![b' '; kauthz_server::MAX_BODY + 1];
    let mut request =
        format!("POST /authorize HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    request.extend(&body);
    let (head, _) = get(&connector(&pki, None), addr, &request).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let _ = stop.send(());
}
