//! TLS for connections with libpq's `sslmode` meanings, on rustls (ring): `require` encrypts
//! without checking the certificate (unless a root certificate file exists, as in libpq),
//! `verify-ca` checks the chain only, `verify-full` also the host name. Client certificates
//! from `sslcert`/`sslkey`, roots from `sslrootcert` (a PEM file, or `system`).

use super::conninfo::{ConnSettings, SslMode};
use crate::error::{Error, ErrorKind, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

fn tls_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Connect, msg)
}

/// Accepts any certificate but still checks the handshake signatures (libpq's `require`).
#[derive(Debug)]
struct NoCertCheck(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoCertCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
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
        rustls::crypto::verify_tls12_signature(
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
        rustls::crypto::verify_tls13_signature(
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

/// Verifies the chain against the roots but not the host name (libpq's `verify-ca`).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                ..
            })) => Ok(ServerCertVerified::assertion()),
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

/// libpq (through OpenSSL) trusts a server certificate that is itself in the root file, even
/// one marked as a CA, which is what `openssl req -new -x509` makes when PostgreSQL's
/// documentation has users create a self-signed certificate and copy it to `root.crt`. webpki
/// refuses a CA as an end entity, so such a certificate is checked here instead: it must be
/// one of the roots byte for byte, self-issued, within its validity period, and, with `verify-full`, name
/// the host (its subject alternative names, else its common name, as libpq). The handshake
/// still proves the server holds its key.
#[derive(Debug)]
struct OwnRoot {
    inner: Arc<dyn ServerCertVerifier>,
    roots: Vec<CertificateDer<'static>>,
    check_name: bool,
}

impl OwnRoot {
    fn check(
        &self,
        cert: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        use x509_cert::der::Decode;
        let parsed = x509_cert::Certificate::from_der(cert.as_ref())
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        // Only a self-issued certificate is its own trust anchor (OpenSSL's rule): a leaf
        // signed by some CA, copied into the root file, is not.
        if parsed.tbs_certificate.subject != parsed.tbs_certificate.issuer {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            ));
        }
        let validity = &parsed.tbs_certificate.validity;
        let now = now.as_secs();
        if now < validity.not_before.to_unix_duration().as_secs() {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidYet,
            ));
        }
        if now > validity.not_after.to_unix_duration().as_secs() {
            return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
        }
        if self.check_name && !names_host(cert, &parsed, server_name) {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName,
            ));
        }
        Ok(ServerCertVerified::assertion())
    }
}

/// Whether the certificate names the host: a subject alternative name, or without any, the
/// subject's common name (libpq's rule).
fn names_host(
    der: &CertificateDer<'_>,
    cert: &x509_cert::Certificate,
    server_name: &ServerName<'_>,
) -> bool {
    let by_san = webpki::EndEntityCert::try_from(der)
        .map(|ee| ee.verify_is_valid_for_subject_name(server_name).is_ok())
        .unwrap_or(false);
    if by_san {
        return true;
    }
    const SUBJECT_ALT_NAME: &str = "2.5.29.17";
    const COMMON_NAME: &str = "2.5.4.3";
    let has_san = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id.to_string() == SUBJECT_ALT_NAME);
    let ServerName::DnsName(host) = server_name else {
        return false;
    };
    !has_san
        && cert
            .tbs_certificate
            .subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .filter(|atv| atv.oid.to_string() == COMMON_NAME)
            .filter_map(|atv| atv.value.decode_as::<String>().ok())
            .any(|cn| cn.eq_ignore_ascii_case(host.as_ref()))
}

impl ServerCertVerifier for OwnRoot {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if self.roots.iter().any(|r| r.as_ref() == end_entity.as_ref()) {
            return self.check(end_entity, server_name, now);
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn load_roots(s: &ConnSettings) -> Result<Option<RootCertStore>> {
    let Some(path) = &s.sslrootcert else {
        return Ok(None);
    };
    let mut roots = RootCertStore::empty();
    if path == "system" {
        let found = rustls_native_certs::load_native_certs();
        for cert in found.certs {
            let _ = roots.add(cert);
        }
        if roots.is_empty() {
            return Err(tls_err(
                "could not load the system's trusted root certificates",
            ));
        }
        return Ok(Some(roots));
    }
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| {
        tls_err(format!(
            "could not read root certificate file \"{path}\": {e}"
        ))
    })?;
    for cert in certs {
        let cert = cert.map_err(|e| {
            tls_err(format!(
                "could not read root certificate file \"{path}\": {e}"
            ))
        })?;
        roots
            .add(cert)
            .map_err(|e| tls_err(format!("invalid root certificate in \"{path}\": {e}")))?;
    }
    Ok(Some(roots))
}

/// The certificates of the root file (none for `system`, whose roots are CAs proper).
fn root_file_certs(s: &ConnSettings) -> Vec<CertificateDer<'static>> {
    match s.sslrootcert.as_deref() {
        Some(path) if path != "system" => CertificateDer::pem_file_iter(path)
            .map(|it| it.filter_map(|c| c.ok()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The rustls configuration for these settings.
pub fn client_config(s: &ConnSettings) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(format!("TLS setup failed: {e}")))?;
    let roots = load_roots(s)?;
    let own_roots = root_file_certs(s);
    let check_name = s.sslmode == SslMode::VerifyFull;
    let verifier: Arc<dyn ServerCertVerifier> = match (s.sslmode, roots) {
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(tls_err(format!(
                "root certificate file \"{}\" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.",
                "~/.postgresql/root.crt"
            )))
        }
        (SslMode::VerifyFull, Some(r)) => WebPkiServerVerifier::builder_with_provider(Arc::new(r), Arc::clone(&provider))
            .build()
            .map_err(|e| tls_err(format!("TLS setup failed: {e}")))?,
        // libpq: with a root certificate file present, require/prefer/allow verify the chain.
        (_, Some(r)) => Arc::new(ChainOnly(
            WebPkiServerVerifier::builder_with_provider(Arc::new(r), Arc::clone(&provider))
                .build()
                .map_err(|e| tls_err(format!("TLS setup failed: {e}")))?,
        )),
        (_, None) => Arc::new(NoCertCheck(Arc::clone(&provider))),
    };
    let verifier: Arc<dyn ServerCertVerifier> = if own_roots.is_empty() {
        verifier
    } else {
        Arc::new(OwnRoot {
            inner: verifier,
            roots: own_roots,
            check_name,
        })
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match (&s.sslcert, &s.sslkey) {
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<std::result::Result<_, _>>())
                .map_err(|e| {
                    tls_err(format!(
                        "could not load client certificate file \"{cert}\": {e}"
                    ))
                })?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| tls_err(format!("could not load private key file \"{key}\": {e}")))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| tls_err(format!("invalid client certificate or key: {e}")))?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(config)
}
