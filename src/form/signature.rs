//! Digital signatures in a PDF: who signed, when, and whether the document changed since.
//!
//! A signed PDF carries an AcroForm field of type `/Sig` whose value (`/V`) is a signature
//! dictionary: `/ByteRange` names the signed bytes of the file (all of it but a hole),
//! `/Contents` fills the hole with a detached CMS `SignedData` (hex). Its signed
//! attributes hold the digest of the signed bytes (`messageDigest`) and usually the
//! signing time; its certificates the signer's. This module recomputes the digest over
//! the byte range and compares it with `messageDigest`.
//!
//! Out of scope, on purpose:
//! - **Certificate trust.** The chain is not validated (no trust anchors, no revocation
//!   check): a self-signed certificate named like a Belgian eID reads the same as a real
//!   one. This says who the certificate claims signed, not whether to believe it.
//! - **The signature value.** The RSA/ECDSA signature over the signed attributes is not
//!   verified. `intact` therefore catches any change of the signed bytes made after
//!   signing (an edit, a re-save, a corrupted transfer), but not a forger who also
//!   rewrites `messageDigest` inside `/Contents`.
//!
//! Bounded and total: at most [`MAX_SIGNATURES`] signed fields are examined, the field
//! walk is capped in depth and nodes (reference cycles end there), `/Contents` is read
//! up to [`MAX_CONTENTS`] bytes, byte ranges are checked against the file's length with
//! checked arithmetic. Anything malformed reads as `intact: false`, never as a panic.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::collections::HashSet;
use std::ops::Range;

use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo};
use der::asn1::{
    BmpString, Ia5StringRef, ObjectIdentifier, OctetString, OctetStringRef, PrintableStringRef,
    TeletexStringRef, Utf8StringRef,
};
use der::{Any, Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use jiff::Timestamp;
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::acroform::{acroform_fields, deref, kids_of, node_dict, peek_dict};
use x509_cert::Certificate;

/// How many signed `/Sig` fields are examined at most.
pub const MAX_SIGNATURES: usize = 16;

/// The largest `/Contents` (decoded bytes) read as CMS; larger reads as malformed.
pub const MAX_CONTENTS: usize = 64 * 1024;

/// How deep `/Kids` (and `/Parent` chains) are followed.
const MAX_DEPTH: usize = 16;

/// How many field dictionaries the walk visits at most.
const MAX_NODES: usize = 4_000;

/// How many `/ByteRange` pairs are accepted (signing software writes two).
const MAX_RANGES: usize = 4;

/// CMS content types and attributes (RFC 5652, RFC 3161).
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// Digest algorithms (NIST).
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// X.509: the subject's common name, the subject key identifier extension.
const ID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// A digital signature found in a PDF (an AcroForm `/Sig` field with a value).
///
/// What it does not say: whether the signer's certificate is trusted (no chain
/// validation) nor whether the CMS signature value is mathematically valid (see the
/// module documentation). A document time-stamp (`/SubFilter /ETSI.RFC3161`) is listed
/// too: its "signer" is the time-stamping authority, its time the token's `genTime`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DigitalSignature {
    /// The field's name (`/T`, joined with parents' by `.`).
    pub field: String,
    /// The signer: the signature dictionary's `/Name`, else the signing certificate's
    /// subject common name (Belgian eID: "Prénom Nom (Signature)", kept as written), else
    /// None.
    pub signer: Option<String>,
    /// The signing time: the CMS signingTime attribute if present, else `/M` (PDF date
    /// "D:20260414101500+02'00'"), as RFC 3339 UTC ("2026-04-14T08:15:00Z"); None if
    /// neither reads.
    pub signed_at: Option<String>,
    /// `/SubFilter` (adbe.pkcs7.detached, ETSI.CAdES.detached…).
    pub sub_filter: Option<String>,
    /// The digest over `/ByteRange` equals the CMS messageDigest signed attribute, with
    /// the digest algorithm the CMS names (SHA-256, SHA-384 or SHA-512; SHA-1 is not
    /// supported and reads false). false when it does not match or cannot be checked.
    pub intact: bool,
    /// The byte range covers the whole file except the `/Contents` hole (a signature
    /// over an earlier revision is followed by changes: false).
    pub covers_document: bool,
}

/// Every signed `/Sig` field of `document` (loaded from `bytes`), in form order.
///
/// Bounded: at most [`MAX_SIGNATURES`] fields examined, `/Contents` at most
/// [`MAX_CONTENTS`] bytes, byte ranges checked against `bytes.len()`; malformed
/// signatures come back with `intact: false` rather than an error. Certificate chains
/// are not validated (see the module documentation).
pub fn digital_signatures(document: &Document, bytes: &[u8]) -> Vec<DigitalSignature> {
    signed_fields(document)
        .into_iter()
        .map(|field| examine(document, bytes, &field))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The field walk.

/// A `/Sig` field with a value: its full name and signature dictionary.
struct SignedField<'a> {
    name: String,
    value: &'a Dictionary,
}

/// A node waiting to be visited: the object, its parent's full name and field type.
struct Pending<'a> {
    object: &'a Object,
    parent_name: String,
    field_type: Option<&'a [u8]>,
    depth: usize,
}

/// The signed `/Sig` fields under `/Root /AcroForm /Fields`, at most [`MAX_SIGNATURES`].
fn signed_fields(document: &Document) -> Vec<SignedField<'_>> {
    let mut found = Vec::new();
    let Some(roots) = acroform_fields(document) else {
        return found;
    };
    let mut stack: Vec<Pending<'_>> = roots
        .iter()
        .rev()
        .map(|object| Pending {
            object,
            parent_name: String::new(),
            field_type: None,
            depth: 0,
        })
        .collect();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    let mut values_seen: HashSet<*const Dictionary> = HashSet::new();
    let mut nodes = 0_usize;
    while let Some(pending) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES || found.len() >= MAX_SIGNATURES {
            break;
        }
        let Some(dict) = node_dict(document, pending.object, &mut visited) else {
            continue;
        };
        let name = joined_name(&pending.parent_name, partial_name(document, dict));
        let field_type = name_entry(document, dict, b"FT").or(pending.field_type);
        let kids = kids_of(document, dict);
        let field_kids: Vec<&Object> = kids
            .iter()
            .copied()
            .filter(|kid| peek_dict(document, kid).is_some_and(|d| d.has(b"T")))
            .collect();
        if field_kids.is_empty() {
            if let Some(field) = signed_field(document, dict, name, field_type, &kids) {
                // The same signature reached twice (a widget listed beside its field).
                if values_seen.insert(std::ptr::from_ref(field.value)) {
                    found.push(field);
                }
            }
            continue;
        }
        if pending.depth + 1 > MAX_DEPTH {
            continue;
        }
        for kid in field_kids.into_iter().rev() {
            stack.push(Pending {
                object: kid,
                parent_name: name.clone(),
                field_type,
                depth: pending.depth + 1,
            });
        }
    }
    found
}

/// A terminal field, if it is a `/Sig` field with a signature dictionary as value.
///
/// The type and value may sit on the field, on its widgets, or (for a widget listed in
/// `/Fields` itself) on its `/Parent` chain.
fn signed_field<'a>(
    document: &'a Document,
    dict: &'a Dictionary,
    name: String,
    walked_type: Option<&'a [u8]>,
    widgets: &[&'a Object],
) -> Option<SignedField<'a>> {
    let parents = parent_chain(document, dict);
    let field_type = walked_type.or_else(|| {
        parents
            .iter()
            .find_map(|parent| name_entry(document, parent, b"FT"))
    })?;
    if field_type != b"Sig" {
        return None;
    }
    let value = std::iter::once(dict)
        .chain(widgets.iter().filter_map(|w| peek_dict(document, w)))
        .chain(parents.iter().copied())
        .find_map(|node| node.get(b"V").ok())
        .and_then(|value| deref(document, value).as_dict().ok())?;
    let name = if name.is_empty() {
        name_from_parents(document, dict, &parents)
    } else {
        name
    };
    Some(SignedField { name, value })
}

/// The `/Parent` dictionaries of `dict`, nearest first, at most [`MAX_DEPTH`].
fn parent_chain<'a>(document: &'a Document, dict: &'a Dictionary) -> Vec<&'a Dictionary> {
    let mut chain = Vec::new();
    let mut current = dict;
    while chain.len() < MAX_DEPTH {
        let Some(parent) = current
            .get(b"Parent")
            .ok()
            .and_then(|parent| peek_dict(document, parent))
        else {
            break;
        };
        chain.push(parent);
        current = parent;
    }
    chain
}

/// A name entry of `dict` (`/FT /Sig` → `b"Sig"`).
fn name_entry<'a>(document: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dict.get(key)
        .ok()
        .and_then(|value| deref(document, value).as_name().ok())
}

/// A text-string entry of `dict`, decoded (PDFDocEncoding or UTF-16), if not empty.
fn text_entry(document: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    let object = deref(document, dict.get(key).ok()?);
    let text = match object {
        Object::String(..) => lopdf::decode_text_string(object).ok()?,
        Object::Name(name) => String::from_utf8_lossy(name).into_owned(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn partial_name(document: &Document, dict: &Dictionary) -> Option<String> {
    text_entry(document, dict, b"T")
}

fn joined_name(parent: &str, partial: Option<String>) -> String {
    match partial {
        Some(partial) if parent.is_empty() => partial,
        Some(partial) => format!("{parent}.{partial}"),
        None => parent.to_owned(),
    }
}

/// The full name of a widget reached without its parents: the `/T` of the chain.
fn name_from_parents(document: &Document, dict: &Dictionary, parents: &[&Dictionary]) -> String {
    let mut partials: Vec<String> = std::iter::once(dict)
        .chain(parents.iter().copied())
        .filter_map(|node| partial_name(document, node))
        .collect();
    partials.reverse();
    partials.join(".")
}

// ---------------------------------------------------------------------------------------
// One signature.

/// Reads one signature dictionary against the file's bytes.
fn examine(document: &Document, bytes: &[u8], field: &SignedField<'_>) -> DigitalSignature {
    let value = field.value;
    let contents = match value.get(b"Contents").map(|c| deref(document, c)) {
        Ok(Object::String(contents, _)) => Some(contents.as_slice()),
        _ => None,
    };
    let ranges = value
        .get(b"ByteRange")
        .ok()
        .and_then(|ranges| byte_range(document, ranges, bytes.len()));
    let cms = contents
        .filter(|contents| contents.len() <= MAX_CONTENTS)
        .and_then(read_cms);
    let signed_parts = ranges.as_deref().and_then(|r| range_slices(bytes, r));
    let intact = match (&cms, &signed_parts) {
        (Some(cms), Some(parts)) => cms.digest_matches(parts),
        _ => false,
    };
    let covers_document = match (&ranges, contents) {
        (Some(ranges), Some(contents)) => covers_document(ranges, bytes, contents),
        _ => false,
    };
    let signed_at = cms
        .as_ref()
        .and_then(|cms| cms.signed_at)
        .or_else(|| text_entry(document, value, b"M").and_then(|m| parse_pdf_date(&m)));
    DigitalSignature {
        field: field.name.clone(),
        signer: text_entry(document, value, b"Name")
            .or_else(|| cms.as_ref().and_then(|cms| cms.signer.clone())),
        signed_at: signed_at.map(|at| at.to_string()),
        sub_filter: name_entry(document, value, b"SubFilter")
            .map(|name| String::from_utf8_lossy(name).into_owned()),
        intact,
        covers_document,
    }
}

/// `/ByteRange [start length start length…]` as ranges of `0..file_len`: pairs of
/// non-negative integers, in order, not overlapping, inside the file; None otherwise.
fn byte_range(document: &Document, ranges: &Object, file_len: usize) -> Option<Vec<Range<usize>>> {
    let numbers: Vec<i64> = deref(document, ranges)
        .as_array()
        .ok()?
        .iter()
        .map(|n| deref(document, n).as_i64().ok())
        .collect::<Option<_>>()?;
    ranges_of(&numbers, file_len)
}

/// The ranges named by `numbers` (start, length pairs), if they are well formed.
fn ranges_of(numbers: &[i64], file_len: usize) -> Option<Vec<Range<usize>>> {
    if numbers.is_empty() || !numbers.len().is_multiple_of(2) || numbers.len() > 2 * MAX_RANGES {
        return None;
    }
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(numbers.len() / 2);
    for pair in numbers.chunks_exact(2) {
        let [start, length] = pair else {
            return None;
        };
        let start = usize::try_from(*start).ok()?;
        let end = start.checked_add(usize::try_from(*length).ok()?)?;
        let after_previous = ranges.last().is_none_or(|previous| start >= previous.end);
        if end > file_len || !after_previous {
            return None;
        }
        ranges.push(start..end);
    }
    Some(ranges)
}

/// The bytes of each range, if all are inside `bytes`.
fn range_slices<'a>(bytes: &'a [u8], ranges: &[Range<usize>]) -> Option<Vec<&'a [u8]>> {
    ranges
        .iter()
        .map(|range| bytes.get(range.clone()))
        .collect()
}

/// Whether two ranges cover the whole file but one hole, and that hole is exactly the
/// `/Contents` hex string: `<`, the hex digits of `contents`, `>`.
fn covers_document(ranges: &[Range<usize>], bytes: &[u8], contents: &[u8]) -> bool {
    let [first, second] = ranges else {
        return false;
    };
    if first.start != 0 || second.end != bytes.len() || first.end >= second.start {
        return false;
    }
    bytes
        .get(first.end..second.start)
        .is_some_and(|hole| hole_holds(hole, contents))
}

/// Whether `hole` is `<hex>` and the hex (whitespace ignored, as in any PDF hex string)
/// decodes to `contents`.
fn hole_holds(hole: &[u8], contents: &[u8]) -> bool {
    let Some(hex) = hole.strip_prefix(b"<").and_then(|h| h.strip_suffix(b">")) else {
        return false;
    };
    let mut nibbles = hex.iter().filter(|b| !b.is_ascii_whitespace());
    let mut decoded = 0_usize;
    loop {
        let Some(high) = nibbles.next() else {
            return decoded == contents.len();
        };
        // PDF: a final odd digit is followed by an implied 0.
        let low = nibbles.next().unwrap_or(&b'0');
        let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low)) else {
            return false;
        };
        if contents.get(decoded) != Some(&((high << 4) | low)) {
            return false;
        }
        decoded += 1;
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

// ---------------------------------------------------------------------------------------
// The CMS.

/// The digest algorithms whose digest can be recomputed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            ID_SHA256 => Some(Self::Sha256),
            ID_SHA384 => Some(Self::Sha384),
            ID_SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest of `parts`, concatenated.
    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        match self {
            Self::Sha256 => digest_with::<Sha256>(parts),
            Self::Sha384 => digest_with::<Sha384>(parts),
            Self::Sha512 => digest_with::<Sha512>(parts),
        }
    }
}

fn digest_with<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

/// What the CMS in `/Contents` says.
#[derive(Debug)]
struct CmsFacts {
    /// The signing certificate's subject common name.
    signer: Option<String>,
    /// signingTime, else (time-stamp token) genTime.
    signed_at: Option<Timestamp>,
    /// What the signed bytes' digest must be.
    check: DigestCheck,
}

/// How the byte range's digest is checked.
#[derive(Debug)]
enum DigestCheck {
    /// An ordinary signature: the digest equals the messageDigest attribute.
    MessageDigest {
        algorithm: DigestAlgorithm,
        expected: Vec<u8>,
    },
    /// A document time-stamp: the digest equals the token's message imprint, and the
    /// token's messageDigest attribute is the digest of the token (TSTInfo).
    TimeStamp {
        imprint_algorithm: DigestAlgorithm,
        imprint: Vec<u8>,
        token_consistent: bool,
    },
    /// Nothing that can be checked (unknown algorithm, no signed attributes…).
    Unverifiable,
}

impl CmsFacts {
    fn digest_matches(&self, parts: &[&[u8]]) -> bool {
        match &self.check {
            DigestCheck::MessageDigest {
                algorithm,
                expected,
            } => algorithm.digest(parts) == *expected,
            DigestCheck::TimeStamp {
                imprint_algorithm,
                imprint,
                token_consistent,
            } => *token_consistent && imprint_algorithm.digest(parts) == *imprint,
            DigestCheck::Unverifiable => false,
        }
    }
}

/// Reads the DER `ContentInfo` at the start of `contents` (the zero padding after it
/// is ignored); None unless it is a `SignedData` with a signer.
fn read_cms(contents: &[u8]) -> Option<CmsFacts> {
    let mut reader = SliceReader::new(contents).ok()?;
    let info = ContentInfo::decode(&mut reader).ok()?;
    if info.content_type != ID_SIGNED_DATA {
        return None;
    }
    let signed_data = read_signed_data(&info.content).ok()?;
    let certificate = signing_certificate(&signed_data.certificates, &signed_data.signer.sid);
    let token = time_stamp_token(&signed_data.encapsulated);
    let signed_at = signed_attribute(&signed_data.signer, ID_SIGNING_TIME)
        .and_then(asn1_time)
        .or_else(|| token.as_ref().and_then(|token| token.gen_time));
    Some(CmsFacts {
        signer: certificate.and_then(common_name),
        signed_at,
        check: digest_check(&signed_data, token),
    })
}

/// What is read of a `SignedData`: its content, certificates and first signer.
struct SignedParts {
    encapsulated: EncapsulatedContentInfo,
    certificates: Vec<Certificate>,
    signer: SignerInfo,
}

/// Reads a `SignedData` (RFC 5652 5.1) field by field.
///
/// Not `cms::signed_data::SignedData` as a whole: the `der` crate rejects a SET OF with
/// duplicates, and signing software does embed the signer's certificate twice (pyHanko
/// does, as signer and as root, for a self-signed certificate). Certificates that do
/// not parse are skipped; other signers than the first are ignored (PDF has one).
fn read_signed_data(content: &Any) -> der::Result<SignedParts> {
    if content.tag() != Tag::Sequence {
        return Err(Tag::Sequence.value_error());
    }
    let mut reader = SliceReader::new(content.value())?;
    let _version: Any = reader.decode()?;
    let _digest_algorithms: Any = reader.decode()?;
    let encapsulated: EncapsulatedContentInfo = reader.decode()?;
    let mut next: Any = reader.decode()?;
    let mut certificates = Vec::new();
    if next.tag() == context_tag(TagNumber::N0) {
        certificates = read_certificates(next.value());
        next = reader.decode()?;
    }
    if next.tag() == context_tag(TagNumber::N1) {
        next = reader.decode()?; // revocation information
    }
    if next.tag() != Tag::Set {
        return Err(Tag::Set.value_error());
    }
    let signer = SliceReader::new(next.value())?.decode()?;
    Ok(SignedParts {
        encapsulated,
        certificates,
        signer,
    })
}

/// The tag of a constructed `[number] IMPLICIT` field.
fn context_tag(number: TagNumber) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number,
    }
}

/// The X.509 certificates of a `CertificateSet`'s content, in order, duplicates kept.
fn read_certificates(set: &[u8]) -> Vec<Certificate> {
    let Ok(mut reader) = SliceReader::new(set) else {
        return Vec::new();
    };
    let mut certificates = Vec::new();
    while !reader.is_finished() {
        let Ok(item) = reader.decode::<Any>() else {
            break;
        };
        if item.tag() == Tag::Sequence {
            if let Some(certificate) = item
                .to_der()
                .ok()
                .and_then(|der| Certificate::from_der(&der).ok())
            {
                certificates.push(certificate);
            }
        }
    }
    certificates
}

/// How to check the digest, from the signer's digest algorithm and attributes.
fn digest_check(signed_data: &SignedParts, token: Option<TimeStampToken>) -> DigestCheck {
    let signer = &signed_data.signer;
    let algorithm = DigestAlgorithm::from_oid(&signer.digest_alg.oid);
    let expected = signed_attribute(signer, ID_MESSAGE_DIGEST)
        .and_then(|value| value.decode_as::<OctetStringRef<'_>>().ok())
        .map(|digest| digest.as_bytes().to_vec());
    let (Some(algorithm), Some(expected)) = (algorithm, expected) else {
        return DigestCheck::Unverifiable;
    };
    match token {
        Some(TimeStampToken {
            imprint_algorithm: Some(imprint_algorithm),
            imprint,
            ..
        }) => {
            let token_bytes = encapsulated_octets(&signed_data.encapsulated);
            let token_consistent =
                token_bytes.is_some_and(|bytes| algorithm.digest(&[bytes.as_slice()]) == expected);
            DigestCheck::TimeStamp {
                imprint_algorithm,
                imprint,
                token_consistent,
            }
        }
        Some(_) => DigestCheck::Unverifiable,
        None => DigestCheck::MessageDigest {
            algorithm,
            expected,
        },
    }
}

/// The first value of the signed attribute `oid`.
fn signed_attribute(signer_info: &SignerInfo, oid: ObjectIdentifier) -> Option<&Any> {
    signer_info
        .signed_attrs
        .as_ref()?
        .iter()
        .find(|attribute| attribute.oid == oid)?
        .values
        .iter()
        .next()
}

/// A UTCTime or GeneralizedTime as a timestamp.
fn asn1_time(value: &Any) -> Option<Timestamp> {
    if value.tag() == Tag::GeneralizedTime {
        return generalized_time(value);
    }
    let time = x509_cert::time::Time::from_der(&value.to_der().ok()?).ok()?;
    timestamp_of(time.to_unix_duration())
}

fn timestamp_of(since_epoch: std::time::Duration) -> Option<Timestamp> {
    Timestamp::from_second(i64::try_from(since_epoch.as_secs()).ok()?).ok()
}

/// The certificate the signer identifies (issuer and serial, or subject key id).
fn signing_certificate<'a>(
    certificates: &'a [Certificate],
    signer: &SignerIdentifier,
) -> Option<&'a Certificate> {
    certificates
        .iter()
        .find(|certificate| identifies(signer, certificate))
}

fn identifies(signer: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    match signer {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|extension| extension.extn_id == ID_SUBJECT_KEY_IDENTIFIER)
            .filter_map(|extension| OctetString::from_der(extension.extn_value.as_bytes()).ok())
            .any(|key_id| key_id == id.0),
    }
}

/// The certificate subject's common name, as written (first one if several).
fn common_name(certificate: &Certificate) -> Option<String> {
    certificate
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|attribute| attribute.oid == ID_COMMON_NAME)
        .find_map(|attribute| directory_string(&attribute.value))
}

/// A DirectoryString (or IA5String) as text.
fn directory_string(value: &Any) -> Option<String> {
    let text = match value.tag() {
        Tag::Utf8String => value.decode_as::<Utf8StringRef<'_>>().ok()?.to_string(),
        Tag::PrintableString => value
            .decode_as::<PrintableStringRef<'_>>()
            .ok()?
            .to_string(),
        Tag::Ia5String => value.decode_as::<Ia5StringRef<'_>>().ok()?.to_string(),
        Tag::TeletexString => value.decode_as::<TeletexStringRef<'_>>().ok()?.to_string(),
        Tag::BmpString => value.decode_as::<BmpString>().ok()?.to_string(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The RFC 3161 token inside a document time-stamp's CMS.
#[derive(Debug)]
struct TimeStampToken {
    imprint_algorithm: Option<DigestAlgorithm>,
    imprint: Vec<u8>,
    gen_time: Option<Timestamp>,
}

/// The TSTInfo encapsulated in a `SignedData`, if it is a time-stamp token.
fn time_stamp_token(encapsulated: &EncapsulatedContentInfo) -> Option<TimeStampToken> {
    if encapsulated.econtent_type != ID_CT_TST_INFO {
        return None;
    }
    let tst_info = encapsulated_octets(encapsulated)?;
    read_tst_info(&tst_info).ok()
}

/// The encapsulated content's octets (eContent is an OCTET STRING).
fn encapsulated_octets(encapsulated: &EncapsulatedContentInfo) -> Option<Vec<u8>> {
    let content = encapsulated.econtent.as_ref()?;
    let octets = content.decode_as::<OctetStringRef<'_>>().ok()?;
    Some(octets.as_bytes().to_vec())
}

/// The start of a TSTInfo (RFC 3161): version, policy, messageImprint, serialNumber,
/// genTime; the optional rest is skipped.
fn read_tst_info(der_bytes: &[u8]) -> der::Result<TimeStampToken> {
    let mut reader = SliceReader::new(der_bytes)?;
    reader.sequence(|tst| {
        let _version: der::asn1::Int = tst.decode()?;
        let _policy: ObjectIdentifier = tst.decode()?;
        let (algorithm, imprint) = tst.sequence(|imprint| {
            let algorithm: AlgorithmIdentifierOwned = imprint.decode()?;
            let hashed: OctetString = imprint.decode()?;
            Ok((algorithm.oid, hashed.into_bytes()))
        })?;
        let _serial: der::asn1::Int = tst.decode()?;
        let gen_time: Any = tst.decode()?;
        let rest = tst.remaining_len();
        tst.read_slice(rest)?;
        Ok(TimeStampToken {
            imprint_algorithm: DigestAlgorithm::from_oid(&algorithm),
            imprint,
            gen_time: generalized_time(&gen_time),
        })
    })
}

/// A GeneralizedTime `YYYYMMDDHHMMSS[.f…]Z`: time-stamp tokens often carry fractions
/// of a second, which strict DER decoding rejects; they are dropped here.
fn generalized_time(value: &Any) -> Option<Timestamp> {
    if value.tag() != Tag::GeneralizedTime {
        return None;
    }
    let mut cursor = value.value();
    let year = i16::try_from(take_digits(&mut cursor, 4)?).ok()?;
    let mut fields = [0_i8; 5];
    for field in &mut fields {
        *field = i8::try_from(take_digits(&mut cursor, 2)?).ok()?;
    }
    let [month, day, hour, minute, second] = fields;
    if let Some(fraction) = cursor.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        cursor = fraction.get(digits..)?;
    }
    if cursor != b"Z" {
        return None;
    }
    let datetime = jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0).ok()?;
    jiff::tz::Offset::UTC.to_timestamp(datetime).ok()
}

// ---------------------------------------------------------------------------------------
// PDF dates.

/// A PDF date ("D:YYYYMMDDHHmmSSOHH'mm'", everything after the year optional) as a
/// timestamp. Without an offset the time is taken as UTC (the spec leaves it unknown).
fn parse_pdf_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let mut cursor = text.strip_prefix("D:").unwrap_or(text).as_bytes();
    let year = i16::try_from(take_digits(&mut cursor, 4)?).ok()?;
    let mut field = |default: u32| take_digits(&mut cursor, 2).unwrap_or(default);
    let (month, day) = (field(1), field(1));
    let (hour, minute, second) = (field(0), field(0), field(0));
    let offset_seconds = take_offset(&mut cursor)?;
    let datetime = jiff::civil::DateTime::new(
        year,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    jiff::tz::Offset::from_seconds(offset_seconds)
        .ok()?
        .to_timestamp(datetime)
        .ok()
}

/// Takes exactly `count` ASCII digits from the front of `cursor`, if they are there.
fn take_digits(cursor: &mut &[u8], count: usize) -> Option<u32> {
    let digits = cursor.get(..count)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *cursor = cursor.get(count..)?;
    Some(
        digits
            .iter()
            .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')),
    )
}

/// The UTC offset at the end of a PDF date, in seconds: nothing or `Z` is 0, else
/// `+HH'mm'` / `-HH'mm'` (apostrophes and minutes optional). Anything else: None.
fn take_offset(cursor: &mut &[u8]) -> Option<i32> {
    let Some((&sign, rest)) = cursor.split_first() else {
        return Some(0);
    };
    *cursor = rest;
    let sign = match sign {
        b'Z' | b'z' => return Some(0),
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = take_digits(cursor, 2)?;
    skip_apostrophe(cursor);
    let minutes = take_digits(cursor, 2).unwrap_or(0);
    skip_apostrophe(cursor);
    if !cursor.is_empty() || hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i32::try_from(hours * 3600 + minutes * 60).ok()?)
}

fn skip_apostrophe(cursor: &mut &[u8]) {
    if let Some(rest) = cursor.strip_prefix(b"'") {
        *cursor = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, StringFormat};

    fn rfc3339(text: &str) -> Option<String> {
        parse_pdf_date(text).map(|at| at.to_string())
    }

    #[test]
    fn a_pdf_date_with_an_offset_reads_as_utc() {
        assert_eq!(
            rfc3339("D:20260414101500+02'00'").as_deref(),
            Some("2026-04-14T08:15:00Z")
        );
        assert_eq!(
            rfc3339("D:20260414101500-05'30").as_deref(),
            Some("2026-04-14T15:45:00Z")
        );
        assert_eq!(
            rfc3339("D:20260414101500+0200").as_deref(),
            Some("2026-04-14T08:15:00Z")
        );
    }

    #[test]
    fn a_pdf_date_in_utc_or_without_offset_reads_as_is() {
        assert_eq!(
            rfc3339("D:20260414081500Z").as_deref(),
            Some("2026-04-14T08:15:00Z")
        );
        assert_eq!(
            rfc3339("D:20260414081500Z00'00'").as_deref(),
            Some("2026-04-14T08:15:00Z")
        );
        assert_eq!(
            rfc3339("20260414081500").as_deref(),
            Some("2026-04-14T08:15:00Z")
        );
    }

    #[test]
    fn a_partial_pdf_date_defaults_the_missing_fields() {
        assert_eq!(rfc3339("D:2026").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(rfc3339("D:202604").as_deref(), Some("2026-04-01T00:00:00Z"));
        assert_eq!(
            rfc3339("D:2026041410+02'00'").as_deref(),
            Some("2026-04-14T08:00:00Z")
        );
    }

    #[test]
    fn a_malformed_pdf_date_reads_as_none() {
        for text in [
            "",
            "D:",
            "D:26",
            "D:2026130110",
            "D:20260230",
            "D:20260414256000",
            "D:20260414101500+2",
            "D:20260414101500+25'00'",
            "D:20260414101500 garbage",
            "D:2026041410150é",
            "D:20260414101500+02'00'x",
        ] {
            assert_eq!(rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn asn1_times_read_with_or_without_fractions() {
        let read = |tag: Tag, text: &str| {
            Any::new(tag, text.as_bytes())
                .ok()
                .and_then(|value| asn1_time(&value))
                .map(|at| at.to_string())
        };
        let expected = Some("2026-04-14T08:15:00Z".to_owned());
        assert_eq!(read(Tag::UtcTime, "260414081500Z"), expected);
        assert_eq!(read(Tag::GeneralizedTime, "20260414081500Z"), expected);
        assert_eq!(read(Tag::GeneralizedTime, "20260414081500.25Z"), expected);
        assert_eq!(read(Tag::GeneralizedTime, "20260414081500"), None);
        assert_eq!(read(Tag::GeneralizedTime, "20261314081500Z"), None);
        assert_eq!(read(Tag::Utf8String, "20260414081500Z"), None);
    }

    #[test]
    fn byte_ranges_are_pairs_in_order_inside_the_file() {
        assert_eq!(ranges_of(&[0, 10, 20, 5], 25), Some(vec![0..10, 20..25]));
        assert_eq!(ranges_of(&[0, 10, 20, 6], 25), None, "past the end");
        assert_eq!(ranges_of(&[0, 10, 5, 5], 25), None, "overlapping");
        assert_eq!(ranges_of(&[20, 5, 0, 10], 25), None, "out of order");
        assert_eq!(ranges_of(&[0, 10, 20], 25), None, "odd count");
        assert_eq!(ranges_of(&[], 25), None, "empty");
        assert_eq!(ranges_of(&[-1, 10], 25), None, "negative start");
        assert_eq!(ranges_of(&[0, -10], 25), None, "negative length");
        assert_eq!(ranges_of(&[i64::MAX, i64::MAX], 25), None, "overflow");
        assert_eq!(
            ranges_of(&[0, 1, 1, 1, 2, 1, 3, 1, 4, 1], 25),
            None,
            "too many"
        );
    }

    /// A file laid out like a signed PDF: head, `<hex>` hole, tail.
    fn signed_layout(hole: &[u8]) -> (Vec<u8>, Vec<Range<usize>>) {
        let head = b"%PDF-1.7 ... /Contents ";
        let tail = b" /ByteRange [...] >> %%EOF\n";
        let bytes = [head.as_slice(), hole, tail].concat();
        let hole_end = head.len() + hole.len();
        (bytes.clone(), vec![0..head.len(), hole_end..bytes.len()])
    }

    #[test]
    fn the_hole_must_be_exactly_the_contents_string() {
        let contents = [0x30, 0x82, 0x00, 0x00];
        let (bytes, ranges) = signed_layout(b"<30820000>");
        assert!(covers_document(&ranges, &bytes, &contents));
        let (bytes, ranges) = signed_layout(b"<3082 0000\n>");
        assert!(covers_document(&ranges, &bytes, &contents), "whitespace");
        let (bytes, ranges) = signed_layout(b"<308200>");
        assert!(!covers_document(&ranges, &bytes, &contents), "shorter");
        let (bytes, ranges) = signed_layout(b"<3082000000>");
        assert!(!covers_document(&ranges, &bytes, &contents), "longer");
        let (bytes, ranges) = signed_layout(b"<30820001>");
        assert!(!covers_document(&ranges, &bytes, &contents), "different");
        let (bytes, ranges) = signed_layout(b"(30820000)");
        assert!(!covers_document(&ranges, &bytes, &contents), "not hex");
        let (bytes, ranges) = signed_layout(b"<3082000g>");
        assert!(!covers_document(&ranges, &bytes, &contents), "bad digit");
    }

    #[test]
    fn a_range_that_stops_short_of_the_end_does_not_cover_the_document() {
        let contents = [0xAB];
        let (mut bytes, ranges) = signed_layout(b"<AB>");
        assert!(covers_document(&ranges, &bytes, &contents));
        bytes.extend_from_slice(b"1 0 obj << >> endobj\n%%EOF\n");
        assert!(!covers_document(&ranges, &bytes, &contents), "appended");
        let signed_end = ranges.iter().map(|r| r.end).max().unwrap_or(0);
        let one: Vec<Range<usize>> = std::iter::once(0..signed_end).collect();
        assert!(!covers_document(&one, &bytes, &contents), "no hole");
        let late = [1..10, 14..bytes.len()];
        assert!(!covers_document(&late, &bytes, &contents), "not from 0");
    }

    #[test]
    fn the_digest_covers_the_ranges_in_order() {
        let bytes = b"abcXXXdef";
        let parts = range_slices(bytes, &[0..3, 6..9]).unwrap_or_default();
        assert_eq!(
            DigestAlgorithm::Sha256.digest(&parts),
            Sha256::digest(b"abcdef").to_vec()
        );
        assert_eq!(range_slices(bytes, &[0..3, 6..10]), None);
    }

    /// A one-page document whose AcroForm holds `fields` (already added objects).
    fn document_with_fields(document: &mut Document, fields: Vec<Object>) {
        let acroform = document.add_object(dictionary! { "Fields" => fields });
        let catalog = document.add_object(dictionary! {
            "Type" => "Catalog",
            "AcroForm" => acroform,
        });
        document.trailer.set("Root", catalog);
    }

    fn sig_value(document: &mut Document, name: Option<&str>) -> ObjectId {
        let mut value = dictionary! {
            "Type" => "Sig",
            "Filter" => "Adobe.PPKLite",
            "SubFilter" => "ETSI.CAdES.detached",
            "ByteRange" => vec![0.into(), 10.into(), 20.into(), 5.into()],
            "Contents" => Object::String(vec![0x30, 0x00], StringFormat::Hexadecimal),
            "M" => Object::string_literal("D:20260414101500+02'00'"),
        };
        if let Some(name) = name {
            value.set("Name", lopdf::text_string(name));
        }
        document.add_object(value)
    }

    #[test]
    fn nested_and_inherited_sig_fields_are_found_with_their_full_names() {
        let mut document = Document::with_version("1.7");
        let first = sig_value(&mut document, Some("Hélène Dubois"));
        let second = sig_value(&mut document, None);
        // A /Sig field under a parent, with its widget as a kid (no /T).
        let widget = document.add_object(dictionary! { "Subtype" => "Widget" });
        let nested = document.add_object(dictionary! {
            "FT" => "Sig", "T" => Object::string_literal("Signature_6_1"),
            "V" => first, "Kids" => vec![widget.into()],
        });
        let parent = document.add_object(dictionary! {
            "T" => Object::string_literal("section6"), "Kids" => vec![nested.into()],
        });
        // A widget listed in /Fields whose /FT, /T and /V are on its /Parent.
        let holder = document.add_object(dictionary! {
            "FT" => "Sig", "T" => Object::string_literal("Signature_6_2"), "V" => second,
        });
        let orphan = document.add_object(dictionary! {
            "Subtype" => "Widget", "Parent" => holder,
        });
        // Fields that are not signed signatures.
        let empty_sig = document.add_object(dictionary! {
            "FT" => "Sig", "T" => Object::string_literal("Signature_6_3"),
        });
        let text = document.add_object(dictionary! {
            "FT" => "Tx", "T" => Object::string_literal("nom"),
            "V" => Object::string_literal("Lejeune"),
        });
        let fields = vec![parent.into(), orphan.into(), empty_sig.into(), text.into()];
        document_with_fields(&mut document, fields);

        let found = digital_signatures(&document, &[0; 25]);
        assert_eq!(found.len(), 2, "{found:?}");
        let names: Vec<&str> = found.iter().map(|s| s.field.as_str()).collect();
        assert_eq!(names, ["section6.Signature_6_1", "Signature_6_2"]);
        assert_eq!(
            found.first().and_then(|s| s.signer.as_deref()),
            Some("Hélène Dubois")
        );
        let second = found.get(1).cloned();
        assert_eq!(second.as_ref().and_then(|s| s.signer.clone()), None);
        assert_eq!(
            second.as_ref().and_then(|s| s.signed_at.clone()).as_deref(),
            Some("2026-04-14T08:15:00Z"),
            "from /M"
        );
        assert!(found.iter().all(|s| !s.intact && !s.covers_document));
        assert!(found
            .iter()
            .all(|s| s.sub_filter.as_deref() == Some("ETSI.CAdES.detached")));
    }

    #[test]
    fn a_kids_cycle_and_many_fields_stay_bounded() {
        let mut document = Document::with_version("1.7");
        let value = sig_value(&mut document, None);
        let looping = document.new_object_id();
        document.objects.insert(
            looping,
            Object::Dictionary(dictionary! {
                "T" => Object::string_literal("loop"),
                "Kids" => vec![looping.into()],
            }),
        );
        let mut fields: Vec<Object> = vec![looping.into()];
        for index in 0..40 {
            let field = document.add_object(dictionary! {
                "FT" => "Sig",
                "T" => Object::string_literal(format!("s{index}")),
                "V" => Object::Dictionary(dictionary! { "Contents" => value }),
            });
            fields.push(field.into());
        }
        document_with_fields(&mut document, fields);
        assert_eq!(digital_signatures(&document, b"").len(), MAX_SIGNATURES);
    }

    #[test]
    fn a_document_without_acroform_has_no_signatures() {
        let document = Document::with_version("1.7");
        assert!(digital_signatures(&document, b"").is_empty());
    }

    #[test]
    fn contents_that_are_not_cms_read_as_unverifiable() {
        assert!(read_cms(b"").is_none());
        assert!(read_cms(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_none());
        assert!(read_cms(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(
            read_cms(&[0x30, 0x80, 0x00, 0x00]).is_none(),
            "BER indefinite"
        );
    }
}
