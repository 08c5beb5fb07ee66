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

/// The rustls configuration for these settings.
pub fn client_config(s: &ConnSettings) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(format!("TLS setup failed: {e}")))?;
    let roots = load_roots(s)?;
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
