//! The rustls side of PostgreSQL's TLS (feature `tls-rustls`): the client configuration of
//! each `sslmode`, its certificate verifiers, and TLS failures in words.

use super::{SslMode, Tls, TlsOptions};
use crate::error::{DbError, DbErrorKind, DbErrorReason, Error, Result};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::sync::Arc;
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

impl TlsOptions {
    /// The rustls connector for these options, reading the certificate and key files now.
    pub(super) fn build_rustls(&self) -> Result<Tls> {
        let (mode, verify) = match self.mode {
            SslMode::Disable => return Ok(Tls::plain()),
            // `allow`'s first, plain, attempt sets its own mode (see `PgDriver::connect`).
            SslMode::Allow => (PgSslMode::Require, Verify::Nothing),
            SslMode::Prefer => (PgSslMode::Prefer, Verify::Nothing),
            // As libpq: a root certificate file makes `require` verify the chain.
            SslMode::Require if self.root_cert.is_some() => (PgSslMode::Require, Verify::Chain),
            SslMode::Require => (PgSslMode::Require, Verify::Nothing),
            SslMode::VerifyCa => (PgSslMode::Require, Verify::Chain),
            SslMode::VerifyFull => (PgSslMode::Require, Verify::ChainAndName),
        };
        // ring (deprecated in rustls 0.23.48 only for lacking post-quantum key exchange):
        // pure Rust and C without a CMake build, and every PostgreSQL server's TLS speaks
        // its classical groups.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match verify {
            Verify::Nothing => Arc::new(NoVerification(provider.clone())),
            Verify::Chain | Verify::ChainAndName => {
                let roots = Arc::new(self.roots()?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| Error::Argument(format!("sslrootcert: {e}")))?;
                if verify == Verify::Chain {
                    Arc::new(ChainOnly(webpki))
                } else {
                    webpki
                }
            }
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Argument(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match self.client_cert()? {
            Some((certs, key)) => builder.with_client_auth_cert(certs, key).map_err(|e| {
                Error::Argument(format!(
                    "sslkey {:?} does not go with sslcert {:?}: {e}",
                    self.key.as_deref().unwrap_or_default(),
                    self.cert.as_deref().unwrap_or_default()
                ))
            })?,
            None => builder.with_no_client_auth(),
        };
        Ok(Tls {
            mode,
            connector: Some(MakeRustlsConnect::new(config)),
            allow: self.mode == SslMode::Allow,
        })
    }

    /// The trusted roots: the `sslrootcert` file, or the system's store.
    fn roots(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        match self.root_cert.as_deref() {
            None | Some("system") => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    return Err(Error::Argument(
                        "no system root certificates were found; name a PEM file with sslrootcert"
                            .into(),
                    ));
                }
            }
            Some(path) => {
                for cert in read_certs("sslrootcert", path)? {
                    roots.add(cert).map_err(|e| {
                        Error::Argument(format!(
                            "sslrootcert {path:?} holds a certificate that cannot be a root: {e}"
                        ))
                    })?;
                }
            }
        }
        Ok(roots)
    }

    /// The client certificate chain and key, when `sslcert` and `sslkey` are given.
    fn client_cert(
        &self,
    ) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>> {
        match (self.cert.as_deref(), self.key.as_deref()) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => {
                let certs = read_certs("sslcert", cert)?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| pem_error("sslkey", key, &e, "private key"))?;
                Ok(Some((certs, key)))
            }
            _ => Err(Error::Argument(
                "sslcert and sslkey go together: give both or neither".into(),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verify {
    Nothing,
    Chain,
    ChainAndName,
}

/// The certificates of the PEM file `path` (at least one), given as option `option`.
fn read_certs(option: &str, path: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| pem_error(option, path, &e, "certificate"))?;
    if certs.is_empty() {
        return Err(pem_error(
            option,
            path,
            &pem::Error::NoItemsFound,
            "certificate",
        ));
    }
    Ok(certs)
}

/// Why the PEM file `path` of `option` could not be read, never quoting its content.
fn pem_error(option: &str, path: &str, e: &pem::Error, item: &str) -> Error {
    let why = match e {
        pem::Error::Io(io) => format!("cannot be read: {io}"),
        pem::Error::NoItemsFound => format!("holds no PEM {item}"),
        _ => "is not valid PEM".to_owned(),
    };
    Error::Argument(format!("{option} {path:?} {why}"))
}

/// `require`/`prefer` without a root: any certificate is accepted, but the handshake's
/// signatures are still checked with the provider's algorithms.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the WebPki verifier, with a name mismatch (and only that) forgiven. WebPki
/// checks the chain before the name, so a name error means the chain verified.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// A connect error caused by TLS, as an Operational [`DbError`] with reason
/// [`DbErrorReason::Tls`] naming `host` and the reason; `None` for any other error.
pub(super) fn tls_error(e: &tokio_postgres::Error, host: &str) -> Option<DbError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut rustls_error = None;
    while let Some(err) = source {
        let inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map_or(err, |inner| inner as &(dyn std::error::Error + 'static));
        if let Some(found) = inner.downcast_ref::<rustls::Error>() {
            rustls_error = Some(found);
            break;
        }
        source = err.source();
    }
    let message = match rustls_error {
        Some(rustls::Error::InvalidCertificate(why)) => format!(
            "TLS: the certificate of server {host} does not verify: {}",
            certificate_reason(why)
        ),
        Some(other) => format!("TLS: the handshake with server {host} failed: {other}"),
        // tokio-postgres' own TLS errors ("server does not support TLS").
        None if e.to_string().contains("TLS") => {
            let detail = std::error::Error::source(e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!("TLS: server {host}: {e}{detail}")
        }
        None => return None,
    };
    let mut err = DbError::new(DbErrorKind::Operational, message);
    err.reason = Some(DbErrorReason::Tls);
    Some(err)
}

/// The reason a certificate did not verify, in words.
fn certificate_reason(e: &CertificateError) -> String {
    match e {
        CertificateError::UnknownIssuer => {
            "unknown issuer (not signed by a trusted root; see sslrootcert)".into()
        }
        CertificateError::NotValidForName => "name mismatch".into(),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "name mismatch: the certificate is for {}, not {}",
            presented
                .iter()
                // rustls shows them as `DnsName("host")`: keep the name.
                .map(|p| p.split('"').nth(1).unwrap_or(p))
                .collect::<Vec<_>>()
                .join(", "),
            expected.to_str()
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired".into(),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "not valid yet".into()
        }
        CertificateError::Revoked => "revoked".into(),
        CertificateError::BadSignature => "bad signature".into(),
        other => format!("{other:?}"),
    }
}
