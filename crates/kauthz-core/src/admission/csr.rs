//! PLACEHOLDER until the nr-pvcdiff branch lands.
/// Go's error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CsrError(pub String);
/// The CommonName of a PEM CSR.
pub fn csr_common_name(_request: &[u8]) -> Result<String, CsrError> {
    Err(CsrError("PEM block type must be CERTIFICATE REQUEST".into()))
}
