//! RFC 3161 time-stamps of the journal's head (`[journal] tsa_url`): the request
//! (`TimeStampReq`, DER), one HTTP POST (`application/timestamp-query`), and the token
//! taken from the response (`TimeStampResp`). The token is kept as the authority sent it
//! (DER `ContentInfo`, CMS SignedData); checking its signature is the auditor's tool's job
//! (`openssl ts -verify -digest HEAD -in TOKEN -token_in -CAfile …`). A token from a
//! qualified trust service provider carries the eIDAS art. 41 presumption; mailroom does
//! not require one.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest response read.
const MAX_RESPONSE: usize = 256 * 1024;

/// A `TimeStampReq` for a SHA-256 digest (the head's 32-byte seal), with a nonce and
/// `certReq` set, DER-encoded.
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    // INTEGER nonce, minimal DER: no leading zero bytes, but one when the top bit is set
    // (it keeps the number positive). A non-minimal one is refused by authorities.
    let mut nonce_bytes: Vec<u8> = nonce
        .max(1)
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    if nonce_bytes.first().is_some_and(|b| b & 0x80 != 0) {
        nonce_bytes.insert(0, 0);
    }
    let mut imprint = vec![
        0x30, 0x31, // MessageImprint
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
        0x00, // AlgorithmIdentifier sha256, NULL
        0x04, 0x20,
    ];
    imprint.extend_from_slice(digest);
    let mut body = vec![0x02, 0x01, 0x01]; // version 1
    body.extend_from_slice(&imprint);
    body.push(0x02);
    body.push(nonce_bytes.len() as u8);
    body.extend_from_slice(&nonce_bytes);
    body.extend_from_slice(&[0x01, 0x01, 0xff]); // certReq TRUE
    let mut out = vec![0x30];
    push_length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

fn push_length(out: &mut Vec<u8>, length: usize) {
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes: Vec<u8> = length
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// One DER element: (tag, header length, content length).
fn element(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let mut length = 0usize;
    for byte in bytes.get(2..2 + count)? {
        length = (length << 8) | usize::from(*byte);
    }
    Some((tag, 2 + count, length))
}

/// The token of a `TimeStampResp`, if the authority granted it (status 0 or 1).
///
/// # Errors
/// The response is not a `TimeStampResp`, or the authority refused.
pub fn token(response: &[u8]) -> anyhow::Result<Vec<u8>> {
    let malformed = || anyhow::anyhow!("Réponse d’horodatage illisible (pas un TimeStampResp).");
    let (tag, header, length) = element(response).ok_or_else(malformed)?;
    let body = response
        .get(header..header + length)
        .filter(|_| tag == 0x30)
        .ok_or_else(malformed)?;
    let (tag, status_header, status_length) = element(body).ok_or_else(malformed)?;
    let status_info = body
        .get(status_header..status_header + status_length)
        .filter(|_| tag == 0x30)
        .ok_or_else(malformed)?;
    let (tag, int_header, int_length) = element(status_info).ok_or_else(malformed)?;
    let status = status_info
        .get(int_header..int_header + int_length)
        .filter(|_| tag == 0x02)
        .ok_or_else(malformed)?;
    let granted = matches!(status, [0] | [1]);
    if !granted {
        bail!("L’autorité d’horodatage a refusé la demande (statut {status:?}).");
    }
    let rest = body
        .get(status_header + status_length..)
        .ok_or_else(malformed)?;
    let (tag, token_header, token_length) = element(rest).ok_or_else(malformed)?;
    if tag != 0x30 {
        return Err(malformed());
    }
    Ok(rest
        .get(..token_header + token_length)
        .ok_or_else(malformed)?
        .to_vec())
}

/// Asks the authority at `url` (`http://` or `https://`) to time-stamp `digest`; returns
/// its token.
///
/// # Errors
/// The authority is unreachable, slow (30 s), refuses, or answers something else.
pub async fn stamp(url: &str, digest: &[u8; 32]) -> anyhow::Result<Vec<u8>> {
    let mut nonce = [0u8; 8];
    getrandom::getrandom(&mut nonce).map_err(|error| anyhow::anyhow!("{error}"))?;
    let body = request(digest, u64::from_be_bytes(nonce));
    let response = tokio::time::timeout(Duration::from_secs(30), post(url, &body))
        .await
        .with_context(|| format!("L’autorité d’horodatage {url} ne répond pas"))??;
    token(&response)
}

async fn post(url: &str, body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let parsed = url::Url::parse(url).with_context(|| format!("tsa_url invalide : {url}"))?;
    let host = parsed
        .host_str()
        .with_context(|| format!("tsa_url sans hôte : {url}"))?
        .to_owned();
    let port = parsed
        .port_or_known_default()
        .with_context(|| format!("tsa_url sans port : {url}"))?;
    let path = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/timestamp-query\r\n\
         Accept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .with_context(|| format!("Connexion à l’autorité d’horodatage {host}:{port}"))?;
    let raw = match parsed.scheme() {
        "http" => exchange(tcp, &request).await?,
        "https" => {
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .context("TLS")?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let name = rustls_pki_types::ServerName::try_from(host.clone())
                .with_context(|| format!("Nom TLS invalide : {host}"))?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS avec {host}"))?;
            exchange(tls, &request).await?
        }
        other => bail!("tsa_url : schéma {other}:// non pris en charge (http ou https)"),
    };
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("Réponse HTTP de l’autorité d’horodatage incomplète")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let ok = head
        .lines()
        .next()
        .is_some_and(|status| status.split_whitespace().nth(1) == Some("200"));
    if !ok {
        bail!(
            "L’autorité d’horodatage répond « {} »",
            head.lines().next().unwrap_or("")
        );
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        bail!("L’autorité d’horodatage répond en « chunked », non pris en charge");
    }
    Ok(raw[split + 4..].to_vec())
}

async fn exchange<S>(mut stream: S, request: &[u8]) -> anyhow::Result<Vec<u8>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream.write_all(request).await?;
    stream.flush().await?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..read]);
        if raw.len() > MAX_RESPONSE {
            bail!("Réponse de l’autorité d’horodatage trop grande");
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_the_der_openssl_writes() {
        // `openssl ts -query -digest <sha256 of "abc"> -sha256 -cert` with this nonce.
        let digest: [u8; 32] = [
            0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
            0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
            0xf2, 0x00, 0x15, 0xad,
        ];
        let der = request(&digest, 0xde2b_b89d_ef3c_3170);
        assert_eq!(der.len(), 0x46);
        assert_eq!(&der[..4], &[0x30, 0x44, 0x02, 0x01]);
        assert_eq!(
            &der[der.len() - 14..],
            &[0x02, 0x09, 0x00, 0xde, 0x2b, 0xb8, 0x9d, 0xef, 0x3c, 0x31, 0x70, 0x01, 0x01, 0xff]
        );
    }

    #[test]
    fn the_nonce_is_minimal_der() {
        let der = request(&[0u8; 32], 0x0000_0000_0000_7f01);
        assert_eq!(
            &der[der.len() - 7..],
            &[0x02, 0x02, 0x7f, 0x01, 0x01, 0x01, 0xff]
        );
        let der = request(&[0u8; 32], 0x0000_0000_0000_8001);
        assert_eq!(
            &der[der.len() - 8..],
            &[0x02, 0x03, 0x00, 0x80, 0x01, 0x01, 0x01, 0xff]
        );
    }

    #[test]
    fn a_refusal_or_garbage_is_an_error_not_a_panic() {
        assert!(token(&[]).is_err());
        assert!(token(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]).is_err());
        assert!(token(&[0x30, 0x83, 0xff, 0xff]).is_err());
        let granted = [0x30, 0x07, 0x30, 0x03, 0x02, 0x01, 0x00, 0x30, 0x00];
        assert_eq!(token(&granted).expect("token"), vec![0x30, 0x00]);
    }
}
