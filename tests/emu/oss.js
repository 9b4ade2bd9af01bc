#!/usr/bin/env node
'use strict';
/*
 * tests/emu/oss.js: an Alibaba Cloud OSS emulator for ossign's tests (one bucket, PostObject V4).
 *
 *   node tests/emu/oss.js --state DIR --port 0 --bucket NAME [--region cn-hangzhou]
 *        [--cors-origins "http://127.0.0.1:8080 http://localhost:8080" | "*"] [--versioned]
 *        [--callback-key TEST-RSA-KEY.pem [--callback-key-url URL] [--callback-ca CA.pem]]
 *
 * Plain HTTP on 127.0.0.1 only.  Prints exactly one line, "listening PORT", on stdout once ready;
 * exits 0 on SIGTERM/SIGINT.  Logs one line per request on stderr (method, path, status, error
 * code, EC); never a signature, token, secret or policy.
 *
 * OSS's rules, not Amazon S3's, and where each comes from
 *   [PO]   PostObject reference, https://www.alibabacloud.com/help/en/oss/developer-reference/postobject
 *          (form elements; its example form sends Content-Disposition, x-oss-meta-uuid,
 *          x-oss-meta-tag and success_action_redirect under a policy naming none of them)
 *   [V4]   POST V4 signature, https://www.alibabacloud.com/help/en/oss/developer-reference/signature-version-4-recommend
 *   [EC]   the troubleshooting page of each EC, https://www.alibabacloud.com/help/en/oss/user-guide/<EC>
 *   [ACL]  PutObjectACL, https://www.alibabacloud.com/help/en/oss/developer-reference/putobjectacl
 *          (the four values; an object's ACL wins over the bucket's; x-oss-object-acl on a write
 *          "has the same effect as PutObjectACL")
 *   [PERM] PutObject permissions, https://www.alibabacloud.com/help/en/oss/developer-reference/put-object
 *          and the SDK upload pages: oss:PutObject; oss:PutObjectTagging when x-oss-tagging is
 *          given; kms:GenerateDataKey and kms:Decrypt when x-oss-server-side-encryption is KMS.
 *          No oss:PutObjectAcl is listed for x-oss-object-acl.
 *   [RAM]  https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements
 *          (condition key oss:x-oss-object-acl) and
 *          https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram ("prevent
 *          public ACL settings": Deny oss:PutObject when oss:x-oss-object-acl is not private or
 *          default; so an upload that sets an ACL is authorized as oss:PutObject)
 *   [ACLF] "the acl form field of a PostObject request is invalid", https://help.aliyun.com/document_detail/480522.html
 *   [BPA]  Block Public Access, https://www.alibabacloud.com/help/en/oss/user-guide/block-public-access
 *          (new buckets have it on: object ACLs can then only be private or default)
 * - A form field no condition names is accepted and takes effect [PO].  Only the V4 fields
 *   x-oss-signature-version, x-oss-credential and x-oss-date must be named by the policy [V4];
 *   x-oss-security-token too (emulator choice, unverified: ossign always names it).  There is
 *   no S3-style "every field must be covered" mode: no test needs one.
 * - A field a condition names but the form lacks fails: AccessDenied, EC 0006-00000226 [EC].
 *   (So no condition can say "absent": a `not-in` condition requires the field as well.)
 * - The stored Content-Type is the x-oss-content-type field, else the Content-Type header of the
 *   `file` part (browsers set it themselves), else the Content-Type field, else
 *   application/octet-stream [PO, x-oss-content-type].  Conditions are checked against the form
 *   fields only: a condition on $content-type says nothing about the file part's header.
 * - Stored and served back as OSS would: Cache-Control, Content-Disposition, Content-Encoding,
 *   Expires, x-oss-meta-* [PO]; x-oss-object-acl (default, private, public-read,
 *   public-read-write) [ACL], and the `acl` field, whose values OSS documents too [ACLF] (which
 *   of the two wins is not documented: here the more public one); x-oss-storage-class (Standard, IA, Archive, ColdArchive,
 *   DeepColdArchive: the three archive classes cannot be read until restored, 403
 *   InvalidObjectState); x-oss-server-side-encryption (AES256, KMS, SM4) and
 *   x-oss-server-side-encryption-key-id (KMS only); x-oss-tagging (URL-encoded k=v&k2=v2, at most
 *   10 tags; GET answers x-oss-tagging-count) [PO].  x:NAME fields (callback variables) are
 *   accepted and not stored.  success_action_redirect: 303 to the URL with bucket, key and etag
 *   (approximation of OSS's redirect).  x-oss-forbid-overwrite: true answers 409 when the key
 *   exists (no effect with --versioned).
 * - Reads: the bucket is private.  Without a signature, GET/HEAD of an object is allowed only
 *   when its ACL is public-read or public-read-write, and PUT/DELETE only when it is
 *   public-read-write [ACL]; everything else anonymous is 403 AccessDenied, an absent key included
 *   (a private bucket does not say what it holds).  Signed GET/PUT are not emulated: tests read
 *   what was stored through the admin routes below.
 * - An STS credential's session policy (the ledger's `Policy`) must allow every action the upload
 *   needs [PERM]: oss:PutObject on acs:oss:*:*:<bucket>/<key>; also oss:PutObjectTagging with
 *   x-oss-tagging; also kms:GenerateDataKey and kms:Decrypt on acs:kms:<region>:*:key/<id or *>
 *   with KMS encryption.  x-oss-object-acl needs no more than oss:PutObject [PERM, RAM], but a
 *   statement's Condition on oss:x-oss-object-acl is evaluated (StringEquals, StringNotEquals,
 *   StringLike, StringNotLike and their IgnoreCase forms; a form without the field counts as
 *   "default", as OSS's example reads).  Other condition keys are not evaluated: an Allow with one
 *   grants nothing, a Deny with one still denies.  Role policies are taken as allowing everything.
 *   Block Public Access [BPA] is not emulated.
 *
 * What it does
 * - POST / : PostObject with the OSS4-HMAC-SHA256 (V4) form signature.  The multipart body is
 *   parsed here, streaming (binary-safe, the file goes to disk as it arrives).  Field names are
 *   case-insensitive, values case-sensitive; `file` ends the form: parts after it are never read
 *   (as OSS, which stops at the file).  The signature is recomputed with ali-oss's own
 *   signUtils.getSignatureV4 (key derivation and HMAC) and scope check signUtils.getCredential.
 *   Credentials come from tests/emu/ledger.js (STATE/accounts.json, STATE/issued/<AKID>.json).
 *   The policy is decoded and validated strictly, every condition type is enforced
 *   ({"f":"v"}, eq, starts-with, in, not-in, content-length-range on the real file size).
 *   Duplicate fields are refused.  `${filename}` in key is expanded after the policy check.
 *   success_action_status 200 (empty), 201 (PostResponse XML), 204 or absent/invalid (204).
 *   A callback field goes to the callback hook: with --callback-key, tests/emu/oss-callback.js
 *   (OSS's upload callbacks, signed with that test key, x-oss-pub-key-url naming --callback-key-url
 *   or OSS's own URL; its header names the rules); without, CALLBACK_NONE: 501 NotImplemented.
 *   Only V4 is implemented: a V1 form (OSSAccessKeyId/Signature) gets 501 NotImplemented; a form
 *   with no signature at all is an anonymous write to a private bucket (403 AccessDenied).
 * - GET/HEAD /<key>, PUT/DELETE /<key>: anonymous, as above.  GET answers the bytes with
 *   Content-Type, ETag, the stored headers, x-oss-storage-class, x-oss-server-side-encryption
 *   (+ -key-id), x-oss-tagging-count, x-oss-meta-*; 404 NoSuchKey for a missing key only when
 *   the caller could have read it (the admin route).
 * - OPTIONS : CORS preflight against one bucket CORS rule: AllowedOrigin = --cors-origins (exact
 *   origins, or *), AllowedMethod GET POST PUT HEAD, AllowedHeader *, ExposeHeader ETag and
 *   x-oss-request-id, MaxAgeSeconds 600.  Allowed: 200 with the Access-Control-* headers; refused:
 *   403 AccessForbidden without them.  Every other response carries Access-Control-Allow-Origin
 *   (+ Allow-Methods, Expose-Headers, Max-Age) only when the request's Origin matches the rule.
 * - Admin (never on real OSS): GET /_emu/stats -> {"requests","uploads_ok","errors":{CODE:n},
 *   "error_total","recent_errors":[{code,ec,message,status}]} (messages have tokens redacted);
 *   GET /_emu/objects[?prefix=P] -> {"bucket","objects":[{key,size,etag,content_type,acl,
 *   storage_class,sse,sse_key_id,tagging,headers,meta,last_modified,version_id}]} sorted by key;
 *   GET/HEAD /_emu/object?key=K -> the object as a signed GET by its owner would get it (ACL and
 *   archive state ignored), 404 NoSuchKey when absent.  (Keys under "_emu/" are not reachable by
 *   anonymous GET.)
 * Requests are dispatched from one route table (Emulator.routes: method, path test, handler;
 *   first match wins); `routes` in the constructor options are tried first, so multipart
 *   uploads (tests/emu/oss-multipart.js) can add POST/PUT/GET/DELETE on /<key>?upload... there.
 *   Anything no route takes: 405 MethodNotAllowed.
 *
 * Storage: STATE/objects/<bucket>/<key> holds the bytes, STATE/meta/<bucket>/<key>.json the
 * sidecar (key, size, ETag, Content-Type, ACL, storage class, encryption, tagging, Cache-Control,
 * Content-Disposition, Content-Encoding, Expires, x-oss-meta-*).  Key segments are written as
 * given except "", ".", ".." and "%" (escaped
 * as "%", "%2E", "%2E%2E", "%25"), NUL ("%00") and segments over 200 bytes (hashed), and every
 * path is checked to stay under the bucket directory: no key can escape it.  A key that is both
 * an object and a "directory" of another object ("a" and "a/b") cannot be stored (500, emulator
 * limitation).  With --versioned only the newest version is kept (x-oss-version-id is returned).
 * Uploads are written to STATE/tmp first and renamed into place once every check passed.
 *
 * Errors are XML as OSS sends them (Content-Type: application/xml, headers x-oss-request-id and
 * x-oss-ec; on HEAD, without a body, the XML goes base64 in x-oss-err):
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <Error><Code/><Message/><RequestId/><HostId/>[ArgumentName/ArgumentValue|Key]<EC/><RecommendDoc/></Error>
 * Code/status choices.  EC: "doc" = an Alibaba Cloud troubleshooting page (help.aliyun.com/
 * .../<EC>) describes exactly this case, or an error seen from OSS quotes it; "near" = documented
 * for a closely related case; "guess" = no page found, value chosen here.
 *   400 RequestIsNotMultiPartContent  POST body not multipart/form-data            0006-00000101 guess
 *   400 MalformedPOSTRequest     body not well-formed multipart (truncated, bad boundary, part
 *                                without name)                                     0006-00000104 doc
 *   400 MalformedPOSTRequest     no `file` part (or `file` never reached)           0006-00000107 doc
 *   400 InvalidArgument          a field value over 8 KB                            0006-00000113 guess
 *   400 MaxPOSTPreDataLengthExceeded  fields before file over 8 MB in total        0006-00000112 doc
 *   400 InvalidArgument          duplicate form field (emulator is strict)          0006-00000105 guess
 *   400 InvalidArgument          x-oss-content-type, Content-Type, Cache-Control, Content-Disposition,
 *                                Content-Encoding, Expires or x-oss-meta-* value with control
 *                                characters (it would become a response header)    0006-00000114 guess
 *   400 InvalidArgument          x-oss-object-acl or acl not one of the four values 0017-00000106 guess
 *   400 InvalidArgument          x-oss-storage-class not a storage class            0006-00000115 guess
 *   400 InvalidEncryptionAlgorithmError  x-oss-server-side-encryption not AES256/KMS/SM4
 *                                                                                   0005-00000001 guess
 *   400 InvalidArgument          x-oss-server-side-encryption-key-id without KMS    0005-00000002 guess
 *   400 InvalidArgument          x-oss-tagging not k=v&..., over 10 tags, key over 128 or value
 *                                over 256 bytes, repeated key                       0006-00000116 guess
 *   400 InvalidArgument          no key field                                       0006-00000106 guess
 *   400 InvalidObjectName        key empty, over 1023 bytes, leading / or \, bad UTF-8  0016-00000001 guess
 *   400 InvalidArgument          x-oss-signature-version not OSS4-HMAC-SHA256       0002-00000701 doc
 *   400 InvalidArgument          V4 form without policy                             0002-00000702 doc
 *   400 InvalidArgument          V4 form without / with empty x-oss-signature      0002-00000703/704 doc
 *   400 InvalidArgument          x-oss-credential malformed (parts, suffix, product) 0002-00000710 doc
 *   400 InvalidArgument          AccessKeyId in the credential has bad characters   0002-00000708 doc
 *   400 InvalidArgument          scope date malformed, or not the day of x-oss-date 0002-00000709 doc
 *   400 InvalidArgument          "The signing region in credential is invalid." (other region, or
 *                                "oss-" prefixed), with ArgumentName/ArgumentValue  0002-00000715 doc
 *   400 InvalidArgument          x-oss-date missing or not yyyymmddTHHMMSSZ         0002-00000712 guess
 *   403 RequestTimeTooSkewed     x-oss-date more than 15 minutes from the clock     0002-00000504 near
 *   403 InvalidAccessKeyId       unknown AKID, or an STS AKID sent without token    0002-00000902 doc
 *   403 InvalidAccessKeyId       long-term key marked "Disabled" in accounts.json   0002-00000904 doc
 *   403 SecurityTokenExpired     token right but expired (OSS answers so; not InvalidAccessKeyId)
 *                                                                                   0002-00000007 doc
 *   403 InvalidSecurityToken     token unknown/foreign/garbage, or a token with a long-term key
 *                                                                                   0002-00000006 doc
 *   403 SignatureDoesNotMatch    signature differs                                  0002-00000705 doc
 *   400 InvalidPolicyDocument    bad base64 / JSON (201), extra top-level key (206), no conditions
 *                                (207), no expiration (208), neither (209), expiration not an
 *                                ISO 8601 string (210) or empty (211), conditions not a non-empty
 *                                list (215), unknown operator (216), simple condition without
 *                                exactly one string property or wrong arity (218), range min>max
 *                                (219), range not integers (221), condition neither map nor list
 *                                (222), in/not-in without a list of strings (224)  0006-00000xxx doc
 *   403 AccessDenied             "Invalid according to Policy: Policy expired."     0006-00000213 doc
 *   403 AccessDenied             "Invalid according to Policy: Policy Condition failed: [..]"
 *                                field missing from the form (except bucket)       0006-00000226 doc
 *                                value does not satisfy the condition               0006-00000227 doc
 *   403 AccessDenied             "Invalid according to Policy: Extra input fields: NAME": a V4
 *                                field (or the token) the policy does not name      0006-00000228 doc
 *   400 EntityTooLarge           file above a content-length-range max, or above 5 GB 0006-00000003 doc
 *   400 EntityTooSmall           file below a content-length-range min              0006-00000004 doc
 *   403 AccessDenied             "Access denied by authorizer's policy.": the STS credential's
 *                                session policy does not allow an action the upload needs (see
 *                                above)                                             0003-00000301 doc
 *   409 FileAlreadyExists        x-oss-forbid-overwrite: true and the key exists    0026-00000002 near
 *   501 NotImplemented           V1 form, or callback field (emulator limits)       0000-00000000 guess
 *   403 AccessDenied             anonymous request the bucket or object ACL does not allow
 *                                                                                   0003-00000001 guess
 *   403 InvalidObjectState       anonymous GET of a public object in an archive class
 *                                                                                   0016-00000201 guess
 *   404 NoSuchKey                admin GET/HEAD of a missing key                    0026-00000001 doc
 *   403 AccessForbidden          CORS preflight refused ("CORSResponse: ...")       0003-00000001 guess
 *   405 MethodNotAllowed         a request no route takes                           0003-00000002 guess
 *   500 InternalError            storage failure (e.g. key "a" vs "a/b")            0000-00000001 guess
 * Check order: form shape, key, signature version, policy/signature presence, credential, region,
 * x-oss-date (format, scope day, skew), access key and token, signature, policy document,
 * expiration, conditions (in policy order), V4 fields named, key name, field values (headers,
 * ACL, storage class, encryption, tagging), session policy, callback; after the file:
 * content-length-range, 5 GB, forbid-overwrite.  The clock is read once, when the request arrives.
 *
 * Not emulated: V1/V2 signatures, signed GET/PUT (HEAD: see oss-callback.js), CRC64
 * (x-oss-hash-crc64ecma), bucket ACLs other than private, Block Public Access, restore of archived
 * objects, Range, wildcard CORS origins, clock control (use real time in tests).
 *
 * module.exports (for the unit tests): computeSignature, credentialScope, parsePolicy,
 * formatCondition, sessionPolicyAllows, storedContentType, MultipartParser, LIMITS, OssError,
 * CALLBACK_NONE, Emulator.  The ledger is loaded only when serving.
 */

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

// ali-oss's signing helpers (lib/common/signUtils.js): getSignatureV4 derives the OSS4 signing key
// ("aliyun_v4" + secret -> date -> region -> product -> "aliyun_v4_request") and HMACs the
// string to sign; for PostObject the string to sign is the policy's base64 text.
const signUtils = require('ali-oss/lib/common/signUtils.js');

const LIMITS = Object.freeze({
  FIELD_VALUE_MAX: 8 * 1024,          // each form field value (guide)
  PRE_FILE_MAX: 8 * 1024 * 1024,      // all field values before `file`
  OBJECT_MAX: 5 * 1024 * 1024 * 1024, // PostObject object size
  PART_HEADER_MAX: 16 * 1024,
  PREAMBLE_MAX: 64 * 1024,
  KEY_MAX: 1023,                      // bytes of UTF-8
  SKEW_MS: 15 * 60 * 1000,
  SEGMENT_MAX: 200,                   // bytes of an on-disk path segment before hashing
  RECENT_ERRORS: 50,
});

const SIGNATURE_VERSION = 'OSS4-HMAC-SHA256';
const CORS_METHODS = ['GET', 'POST', 'PUT', 'HEAD']; // PUT: multipart parts (oss-multipart.js)
const CORS_EXPOSE = 'ETag, x-oss-request-id';
const CORS_MAX_AGE = '600';

class OssError extends Error {
  constructor(status, code, message, ec, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.ec = ec;
    this.extra = extra || null; // [[element, value], ...] added before <EC>
  }
}

const err = {
  notMultipart: () => new OssError(400, 'RequestIsNotMultiPartContent',
    'Bucket POST must be of the enclosure-type multipart/form-data.', '0006-00000101'),
  malformed: () => new OssError(400, 'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.', '0006-00000104'),
  noFile: () => new OssError(400, 'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.', '0006-00000107'),
  fieldTooLong: (name) => new OssError(400, 'InvalidArgument',
    `Your form field ${name} is too long: a form field value may not exceed 8 KB.`, '0006-00000113'),
  preDataTooLong: () => new OssError(400, 'MaxPOSTPreDataLengthExceeded',
    'Your POST request fields preceeding the upload file was too large.', '0006-00000112'),
  duplicateField: (name) => new OssError(400, 'InvalidArgument',
    `The form field ${name} appears more than once.`, '0006-00000105'),
  noKey: () => new OssError(400, 'InvalidArgument',
    "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
    '0006-00000106'),
  badObjectName: (why) => new OssError(400, 'InvalidObjectName', why, '0016-00000001'),
  badVersion: () => new OssError(400, 'InvalidArgument',
    'Invalid signature version in x-oss-signature-version.', '0002-00000701'),
  noPolicy: () => new OssError(400, 'InvalidArgument',
    'Bucket POST must contain a field named policy when it is signed.', '0002-00000702'),
  noSignature: () => new OssError(400, 'InvalidArgument',
    'Bucket POST must contain a field named x-oss-signature when it is signed.', '0002-00000703'),
  emptySignature: () => new OssError(400, 'InvalidArgument',
    'The x-oss-signature field is empty.', '0002-00000704'),
  badCredential: (why) => new OssError(400, 'InvalidArgument',
    `Invalid x-oss-credential: ${why}.`, '0002-00000710'),
  badAkid: () => new OssError(400, 'InvalidArgument',
    'The AccessKeyId in x-oss-credential is invalid.', '0002-00000708'),
  badSignDate: (why) => new OssError(400, 'InvalidArgument',
    `Invalid signing date in x-oss-credential: ${why}.`, '0002-00000709'),
  badRegion: (cred) => new OssError(400, 'InvalidArgument',
    'The signing region in credential is invalid.', '0002-00000715',
    [['ArgumentName', 'x-oss-credential'], ['ArgumentValue', cred]]),
  badDate: () => new OssError(400, 'InvalidArgument',
    'Invalid x-oss-date: it must be present and formatted as yyyymmddTHHMMSSZ.', '0002-00000712'),
  skewed: () => new OssError(403, 'RequestTimeTooSkewed',
    'The difference between the request time and the current time is too large.', '0002-00000504'),
  unknownAkid: () => new OssError(403, 'InvalidAccessKeyId',
    'The OSS Access Key Id you provided does not exist in our records.', '0002-00000902'),
  disabledAkid: () => new OssError(403, 'InvalidAccessKeyId',
    'The OSS Access Key Id you provided is disabled.', '0002-00000904'),
  sessionPolicy: () => new OssError(403, 'AccessDenied', "Access denied by authorizer's policy.", '0003-00000301'),
  tokenExpired: () => new OssError(403, 'SecurityTokenExpired',
    'The security token you provided has expired.', '0002-00000007'),
  tokenInvalid: () => new OssError(403, 'InvalidSecurityToken',
    'The security token you provided is invalid.', '0002-00000006'),
  signature: () => new OssError(403, 'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    '0002-00000705'),
  policyDoc: (ec, why) => new OssError(400, 'InvalidPolicyDocument', `Invalid Policy: ${why}`, ec),
  policyExpired: () => new OssError(403, 'AccessDenied',
    'Invalid according to Policy: Policy expired.', '0006-00000213'),
  condMissing: (c) => new OssError(403, 'AccessDenied',
    `Invalid according to Policy: Policy Condition failed: ${formatCondition(c)}`, '0006-00000226'),
  condFailed: (c) => new OssError(403, 'AccessDenied',
    `Invalid according to Policy: Policy Condition failed: ${formatCondition(c)}`, '0006-00000227'),
  extraField: (name) => new OssError(403, 'AccessDenied',
    `Invalid according to Policy: Extra input fields: ${name}`, '0006-00000228'),
  tooLarge: () => new OssError(400, 'EntityTooLarge',
    'Your proposed upload exceeds the maximum allowed size.', '0006-00000003'),
  tooSmall: () => new OssError(400, 'EntityTooSmall',
    'Your proposed upload is smaller than the minimum allowed size.', '0006-00000004'),
  exists: () => new OssError(409, 'FileAlreadyExists',
    'The object you specified already exists and can not be overwritten.', '0026-00000002'),
  badHeaderField: (name) => new OssError(400, 'InvalidArgument',
    `The form field ${name} is not a valid HTTP header name or value.`, '0006-00000114'),
  badAcl: () => new OssError(400, 'InvalidArgument',
    'no such object access control exists', '0017-00000106'),
  badStorageClass: () => new OssError(400, 'InvalidArgument',
    'The storage class you specified is not valid.', '0006-00000115'),
  badSse: () => new OssError(400, 'InvalidEncryptionAlgorithmError',
    'The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4', '0005-00000001'),
  keyIdWithoutKms: () => new OssError(400, 'InvalidArgument',
    'x-oss-server-side-encryption-key-id is only allowed with x-oss-server-side-encryption KMS.',
    '0005-00000002'),
  badTagging: (why) => new OssError(400, 'InvalidArgument', `Invalid x-oss-tagging: ${why}.`, '0006-00000116'),
  notImplemented: (what) => new OssError(501, 'NotImplemented',
    `${what} is not implemented by this emulator.`, '0000-00000000'),
  anonymous: () => new OssError(403, 'AccessDenied',
    'You have no right to access this object because of bucket acl.', '0003-00000001'),
  archived: () => new OssError(403, 'InvalidObjectState',
    'The operation is not valid for the object\'s state', '0016-00000201'),
  noSuchKey: (key) => new OssError(404, 'NoSuchKey', 'The specified key does not exist.', '0026-00000001',
    key === undefined ? null : [['Key', key]]),
  corsDenied: () => new OssError(403, 'AccessForbidden',
    'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, ' +
    'request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted ' +
    "by the resource's CORS spec.", '0003-00000001'),
  corsDisabled: () => new OssError(403, 'AccessForbidden',
    'CORSResponse: CORS is not enabled for this bucket.', '0003-00000001'),
  method: () => new OssError(405, 'MethodNotAllowed',
    'The specified method is not allowed against this resource.', '0003-00000002'),
  internal: (why) => new OssError(500, 'InternalError', `We encountered an internal error: ${why}`,
    '0000-00000001'),
};

/* ---------------------------------------------------------------- signing (ali-oss) */

// The V4 PostObject signature: hex HMAC-SHA256 of the policy's base64 text under the key derived
// from secret, scope date (yyyymmdd), region and product "oss".  Delegates to ali-oss.
function computeSignature(secret, yyyymmdd, region, policyBase64) {
  return signUtils.getSignatureV4(secret, yyyymmdd, region, policyBase64, 'oss');
}

// "AKID/yyyymmdd/region/oss/aliyun_v4_request", as ali-oss builds it.
function credentialScope(akid, yyyymmdd, region) {
  return signUtils.getCredential(yyyymmdd, region, akid, 'oss');
}

/* ---------------------------------------------------------------- multipart */

/*
 * Streaming multipart/form-data parser.  handlers:
 *   field(name, valueBuffer)            a part before `file` (name lowercased)
 *   fileStart(filename, contentType)    the `file` part begins (may throw OssError)
 *   fileData(buffer)                    file bytes (may throw OssError)
 *   fileEnd()                           the delimiter after the file was seen
 * write()/end() throw OssError on malformed input; after `file` the rest is ignored.
 */
class MultipartParser {
  constructor(boundary, handlers) {
    this.h = handlers;
    this.first = Buffer.from(`--${boundary}`, 'latin1');
    this.delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.buf = Buffer.alloc(0);
    this.state = 'preamble';
    this.preTotal = 0;
    this.fieldName = null;
  }

  write(chunk) {
    if (this.state === 'done') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.run();
  }

  end() {
    if (this.state === 'done') return;
    throw err.malformed();
  }

  run() {
    for (;;) {
      if (this.state === 'preamble') {
        const i = this.buf.indexOf(this.first);
        if (i < 0) {
          if (this.buf.length > LIMITS.PREAMBLE_MAX) throw err.malformed();
          return;
        }
        if (i !== 0 && (i < 2 || this.buf[i - 2] !== 13 || this.buf[i - 1] !== 10)) throw err.malformed();
        this.buf = this.buf.subarray(i + this.first.length);
        this.state = 'after';
      } else if (this.state === 'after') {
        if (this.buf.length < 2) return;
        const a = this.buf[0];
        const b = this.buf[1];
        if (a === 45 && b === 45) { // "--": closing delimiter
          this.state = 'done';
          this.buf = Buffer.alloc(0);
          return;
        }
        if (a !== 13 || b !== 10) throw err.malformed();
        this.buf = this.buf.subarray(2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        const i = this.buf.indexOf('\r\n\r\n', 0, 'latin1');
        if (i < 0) {
          if (this.buf.length > LIMITS.PART_HEADER_MAX) throw err.malformed();
          return;
        }
        const head = parsePartHeaders(this.buf.subarray(0, i).toString('utf8'));
        this.buf = this.buf.subarray(i + 4);
        if (head.name === 'file') {
          this.state = 'file';
          this.h.fileStart(head.filename, head.contentType);
        } else {
          this.state = 'field';
          this.fieldName = head.name;
        }
      } else if (this.state === 'field') {
        const i = this.buf.indexOf(this.delim);
        if (i < 0) {
          if (this.buf.length - this.delim.length > LIMITS.FIELD_VALUE_MAX) throw err.fieldTooLong(this.fieldName);
          return;
        }
        if (i > LIMITS.FIELD_VALUE_MAX) throw err.fieldTooLong(this.fieldName);
        this.preTotal += i;
        if (this.preTotal > LIMITS.PRE_FILE_MAX) throw err.preDataTooLong();
        const value = Buffer.from(this.buf.subarray(0, i));
        this.buf = this.buf.subarray(i + this.delim.length);
        this.state = 'after';
        this.h.field(this.fieldName, value);
      } else if (this.state === 'file') {
        const i = this.buf.indexOf(this.delim);
        if (i >= 0) {
          if (i > 0) this.h.fileData(this.buf.subarray(0, i));
          this.state = 'done';
          this.buf = Buffer.alloc(0);
          this.h.fileEnd();
          return;
        }
        // Keep what could be the start of the delimiter.
        const keep = this.delim.length - 1;
        if (this.buf.length > keep) {
          const out = this.buf.subarray(0, this.buf.length - keep);
          this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
          this.h.fileData(out);
        }
        return;
      } else {
        return;
      }
    }
  }
}

function parsePartHeaders(text) {
  let disposition = null;
  let contentType = null;
  for (const line of text.split('\r\n')) {
    const c = line.indexOf(':');
    if (c <= 0) throw err.malformed();
    const name = line.slice(0, c).trim().toLowerCase();
    const value = line.slice(c + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition) throw err.malformed();
  const params = parseHeaderParams(disposition);
  if (params.type.toLowerCase() !== 'form-data' || typeof params.name !== 'string' || params.name === '') {
    throw err.malformed();
  }
  return { name: params.name.toLowerCase(), filename: params.filename, contentType };
}

// "form-data; name=\"a\"; filename=\"b\"" -> {type, name, filename}; quoted strings may escape.
function parseHeaderParams(value) {
  const out = { type: '' };
  let i = 0;
  const n = value.length;
  const skipWs = () => { while (i < n && (value[i] === ' ' || value[i] === '\t')) i++; };
  let j = value.indexOf(';');
  if (j < 0) j = n;
  out.type = value.slice(0, j).trim();
  i = j;
  while (i < n) {
    if (value[i] !== ';') throw err.malformed();
    i++;
    skipWs();
    let k = i;
    while (k < n && value[k] !== '=' && value[k] !== ';') k++;
    const pname = value.slice(i, k).trim().toLowerCase();
    if (k >= n || value[k] !== '=') { i = k; continue; }
    i = k + 1;
    skipWs();
    let pval = '';
    if (value[i] === '"') {
      i++;
      while (i < n && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < n) i++;
        pval += value[i];
        i++;
      }
      if (i >= n) throw err.malformed();
      i++;
      skipWs();
    } else {
      k = i;
      while (k < n && value[k] !== ';') k++;
      pval = value.slice(i, k).trim();
      i = k;
    }
    if (pname && !(pname in out)) out[pname] = pval;
  }
  return out;
}

function boundaryOf(contentType) {
  if (typeof contentType !== 'string') return null;
  let params;
  try {
    params = parseHeaderParams(contentType);
  } catch (e) {
    return null;
  }
  if (params.type.toLowerCase() !== 'multipart/form-data') return null;
  const b = params.boundary;
  if (typeof b !== 'string' || b.length < 1 || b.length > 70) return null;
  return b;
}

/* ---------------------------------------------------------------- policy */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

function parseIso(s) {
  const m = ISO_RE.exec(s);
  if (!m) return NaN;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) return NaN;
  const d = new Date(t);
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() + 1 !== +m[2] || d.getUTCDate() !== +m[3]) return NaN;
  return t;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fieldRef(s) {
  if (typeof s !== 'string') return null;
  const name = (s.startsWith('$') ? s.slice(1) : s).toLowerCase();
  return name === '' ? null : name;
}

/*
 * Decode and validate a policy's base64 text.  Returns {expiration (ms), conditions: [{op, field,
 * value|values|min|max}]}; throws InvalidPolicyDocument.
 */
function parsePolicy(b64) {
  if (typeof b64 !== 'string' || b64 === '') throw err.policyDoc('0006-00000205', 'Policy is empty.');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw err.policyDoc('0006-00000201', 'Invalid Base64 Encoding.');
  }
  const raw = Buffer.from(b64, 'base64');
  if (raw.toString('base64') !== b64) throw err.policyDoc('0006-00000201', 'Invalid Base64 Encoding.');
  const text = raw.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(raw)) throw err.policyDoc('0006-00000201', 'Invalid JSON: not UTF-8.');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw err.policyDoc('0006-00000201', 'Invalid JSON.');
  }
  if (!isPlainObject(doc)) throw err.policyDoc('0006-00000201', 'Invalid JSON: not an object.');
  for (const k of Object.keys(doc)) {
    if (k !== 'expiration' && k !== 'conditions') {
      throw err.policyDoc('0006-00000206', `Unexpected field '${k}': a policy has only expiration and conditions.`);
    }
  }
  const hasExp = Object.prototype.hasOwnProperty.call(doc, 'expiration');
  const hasCond = Object.prototype.hasOwnProperty.call(doc, 'conditions');
  if (!hasExp && !hasCond) throw err.policyDoc('0006-00000209', 'Policy must contain expiration and conditions.');
  if (!hasExp) throw err.policyDoc('0006-00000208', "Policy missing the required field 'expiration'.");
  if (!hasCond) throw err.policyDoc('0006-00000207', "Policy missing the required field 'conditions'.");
  if (doc.expiration === '') throw err.policyDoc('0006-00000211', "Invalid 'expiration' value: ''.");
  if (typeof doc.expiration !== 'string') throw err.policyDoc('0006-00000210', "Invalid 'expiration' value: not a string.");
  const expiration = parseIso(doc.expiration);
  if (!Number.isFinite(expiration)) {
    throw err.policyDoc('0006-00000210', `Invalid 'expiration' value: '${doc.expiration}'.`);
  }
  if (!Array.isArray(doc.conditions) || doc.conditions.length === 0) {
    throw err.policyDoc('0006-00000215', "'conditions' must be a non-empty list.");
  }
  const conditions = doc.conditions.map(parseCondition);
  return { expiration, conditions };
}

function parseCondition(c) {
  if (isPlainObject(c)) {
    const keys = Object.keys(c);
    if (keys.length !== 1 || typeof c[keys[0]] !== 'string' || fieldRef(keys[0]) === null) {
      throw err.policyDoc('0006-00000218',
        'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    }
    return { op: 'eq', field: fieldRef(keys[0]), value: c[keys[0]] };
  }
  if (!Array.isArray(c)) throw err.policyDoc('0006-00000222', 'Invalid condition: must be a map or a list.');
  const op = typeof c[0] === 'string' ? c[0].toLowerCase() : null;
  const bad = (ec, why) => err.policyDoc(ec, `Invalid ${JSON.stringify(c[0])} condition: ${why}`);
  switch (op) {
    case 'eq':
    case 'starts-with':
      if (c.length !== 3 || fieldRef(c[1]) === null || typeof c[2] !== 'string') {
        throw bad('0006-00000218', 'expected [op, "$field", "value"].');
      }
      return { op, field: fieldRef(c[1]), value: c[2] };
    case 'in':
    case 'not-in':
      if (c.length !== 3 || fieldRef(c[1]) === null) throw bad('0006-00000218', 'expected [op, "$field", [values]].');
      if (!Array.isArray(c[2]) || !c[2].every((v) => typeof v === 'string')) {
        throw bad('0006-00000224', 'the third element must be a list of strings.');
      }
      return { op, field: fieldRef(c[1]), values: c[2].slice() };
    case 'content-length-range':
      if (c.length !== 3) throw bad('0006-00000218', 'expected ["content-length-range", min, max].');
      if (!Number.isSafeInteger(c[1]) || !Number.isSafeInteger(c[2]) || c[1] < 0 || c[2] < 0) {
        throw bad('0006-00000221', 'min and max must be non-negative integers.');
      }
      if (c[1] > c[2]) throw bad('0006-00000219', 'min is greater than max.');
      return { op, min: c[1], max: c[2] };
    default:
      throw err.policyDoc('0006-00000216', `Invalid condition: unknown matching mode ${JSON.stringify(c[0])}.`);
  }
}

// OSS quotes a failed condition as ["eq", "$key", "value"]; the security token is never echoed.
function formatCondition(c) {
  const q = (s) => JSON.stringify(s);
  if (c.op === 'content-length-range') return `[${q(c.op)}, ${c.min}, ${c.max}]`;
  const secret = c.field === 'x-oss-security-token';
  const v = (s) => (secret ? q('<redacted>') : q(s));
  if (c.op === 'in' || c.op === 'not-in') return `[${q(c.op)}, ${q(`$${c.field}`)}, [${c.values.map(v).join(', ')}]]`;
  return `[${q(c.op)}, ${q(`$${c.field}`)}, ${v(c.value)}]`;
}

function conditionHolds(c, value) {
  switch (c.op) {
    case 'eq': return value === c.value;
    case 'starts-with': return value.startsWith(c.value);
    case 'in': return c.values.includes(value);
    case 'not-in': return !c.values.includes(value);
    default: return true;
  }
}

/* ---------------------------------------------------------------- RAM session policy */

// RAM wildcards: * any run, ? one character.
function globMatch(pattern, value, caseInsensitive) {
  const re = pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.'
    : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`, caseInsensitive ? 'si' : 's').test(value);
}

// The condition operators evaluated (RAM's string operators); the value list matches when any
// of its entries does.
const CONDITION_OPS = {
  StringEquals: (v, p) => v === p,
  StringNotEquals: (v, p) => v !== p,
  StringEqualsIgnoreCase: (v, p) => v.toLowerCase() === p.toLowerCase(),
  StringNotEqualsIgnoreCase: (v, p) => v.toLowerCase() !== p.toLowerCase(),
  StringLike: (v, p) => globMatch(p, v, false),
  StringNotLike: (v, p) => !globMatch(p, v, false),
};

/*
 * A statement's Condition against the request's condition keys: true (holds), false (does not
 * hold) or null (names an operator or key this emulator does not evaluate).  Keys are
 * case-insensitive.  A listed value matches when any entry does; a negated operator holds when
 * no entry matches (StringNotEquals ["a","b"]: neither a nor b).
 */
function ramConditionHolds(cond, context) {
  if (!isPlainObject(cond)) return null;
  const ctx = {};
  for (const [k, v] of Object.entries(context)) ctx[k.toLowerCase()] = v;
  for (const [op, block] of Object.entries(cond)) {
    const fn = CONDITION_OPS[op];
    if (!fn || !isPlainObject(block)) return null;
    const negated = op.includes('Not');
    for (const [key, want] of Object.entries(block)) {
      const value = ctx[key.toLowerCase()];
      if (typeof value !== 'string') return null;
      const list = Array.isArray(want) ? want : [want];
      if (!list.every((x) => typeof x === 'string')) return null;
      const ok = negated ? list.every((x) => fn(value, x)) : list.some((x) => fn(value, x));
      if (!ok) return false;
    }
  }
  return true;
}

/*
 * Does the session policy (RAM policy JSON, the STS AssumeRole `Policy`) allow `action` on the
 * resource acs:<product>:<region>:<account>:<target> ({product, region, target}) for a request
 * with these condition keys (context, e.g. {"oss:x-oss-object-acl": "default"})?  Explicit Deny
 * wins, then an Allow is needed.  The account id of a resource pattern is not checked.  A
 * Condition is evaluated when it names only keys of context and the string operators above;
 * otherwise an Allow with it grants nothing and a Deny with it still denies.  The role's own
 * policies are unknown here and taken as allowing everything.  Unparseable policies deny.
 */
function sessionPolicyAllows(policyText, action, resource, context = {}) {
  let doc;
  try {
    doc = JSON.parse(policyText);
  } catch (e) {
    return false;
  }
  if (!isPlainObject(doc)) return false;
  const list = (v) => (v === undefined ? null : Array.isArray(v) ? v : [v]);
  const statements = list(doc.Statement) || [];
  const resourceMatches = (p) => {
    if (typeof p !== 'string') return false;
    if (p === '*') return true;
    const parts = p.split(':');
    if (parts.length < 5 || parts[0] !== 'acs') return false;
    return globMatch(parts[1], resource.product, true) &&
      (parts[2] === '' || globMatch(parts[2], resource.region, false)) &&
      globMatch(parts.slice(4).join(':'), resource.target, false);
  };
  const matches = (st) => {
    const a = list(st.Action);
    const na = list(st.NotAction);
    const actionOk = a ? a.some((x) => typeof x === 'string' && globMatch(x, action, true))
      : na ? !na.some((x) => typeof x === 'string' && globMatch(x, action, true)) : false;
    const r = list(st.Resource);
    const nr = list(st.NotResource);
    const resourceOk = r ? r.some(resourceMatches) : nr ? !nr.some(resourceMatches) : false;
    return actionOk && resourceOk;
  };
  let allowed = false;
  for (const st of statements) {
    if (!isPlainObject(st) || !matches(st)) continue;
    const holds = st.Condition === undefined ? true : ramConditionHolds(st.Condition, context);
    if (st.Effect === 'Deny' && holds !== false) return false;
    if (st.Effect === 'Allow' && holds === true) allowed = true;
  }
  return allowed;
}

/*
 * What an upload must be allowed to do (PutObject permissions): [{action, resource}] for the
 * object key, the form's fields f (a Map, lowercase names) and the emulator's bucket and region.
 */
function uploadActions(f, bucket, region, key) {
  const obj = { product: 'oss', region, target: `${bucket}/${key}` };
  const out = [{ action: 'oss:PutObject', resource: obj }];
  if (f.has('x-oss-tagging')) out.push({ action: 'oss:PutObjectTagging', resource: obj });
  if (f.get('x-oss-server-side-encryption') === 'KMS') {
    const kms = { product: 'kms', region, target: `key/${f.get('x-oss-server-side-encryption-key-id') || '*'}` };
    out.push({ action: 'kms:GenerateDataKey', resource: kms }, { action: 'kms:Decrypt', resource: kms });
  }
  return out;
}

/* ---------------------------------------------------------------- helpers */

function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[ch]));
}

function requestId() {
  return crypto.randomBytes(12).toString('hex').toUpperCase();
}

function encodeKeyUrl(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

function encodeSegment(seg) {
  if (seg === '') return '%';
  if (seg === '.') return '%2E';
  if (seg === '..') return '%2E%2E';
  const s = seg.replace(/%/g, '%25').replace(/\0/g, '%00');
  if (Buffer.byteLength(s) > LIMITS.SEGMENT_MAX) {
    return `%H${crypto.createHash('sha256').update(seg).digest('hex')}`;
  }
  return s;
}

function isValidUtf8(buf) {
  return Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

// A stored header value goes out as the UTF-8 bytes it came in as (Node writes latin1 strings).
function headerValue(s) {
  return Buffer.from(s, 'utf8').toString('latin1');
}

// Fields stored as the object's HTTP headers and served back on GET [PO].
const HEADER_FIELDS = ['cache-control', 'content-disposition', 'content-encoding', 'expires'];
// Fields the policy must name [V4] (the token: emulator choice, see the header).
const SIGNED_FIELDS = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-security-token'];
const OBJECT_ACLS = ['default', 'private', 'public-read', 'public-read-write'];
const ACL_RANK = { default: 0, private: 0, 'public-read': 1, 'public-read-write': 2 };
const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'];
const ARCHIVE_CLASSES = new Set(['Archive', 'ColdArchive', 'DeepColdArchive']);
const SSE_ALGORITHMS = ['AES256', 'KMS', 'SM4'];
const TAGS_MAX = 10;
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;

// A value that becomes a response header: no control characters (CR/LF would split it).
function checkHeaderField(name, value) {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value) || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
    throw err.badHeaderField(name);
  }
}

// The stored Content-Type [PO, x-oss-content-type]: the x-oss-content-type field, then the file
// part's own Content-Type header, then the Content-Type field.
function storedContentType(f, partType) {
  return f.get('x-oss-content-type') || partType || f.get('content-type') || 'application/octet-stream';
}

// "k=v&k2=v2" (URL-encoded) -> {k: v}, or throws InvalidArgument.
function parseTagging(text) {
  const tags = {};
  const parts = text === '' ? [] : text.split('&');
  if (parts.length > TAGS_MAX) throw err.badTagging(`more than ${TAGS_MAX} tags`);
  for (const part of parts) {
    const eq = part.indexOf('=');
    let k;
    let v;
    try {
      k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch (e) {
      throw err.badTagging('not URL-encoded');
    }
    if (k === '' || Buffer.byteLength(k) > TAG_KEY_MAX) throw err.badTagging('a key is empty or too long');
    if (Buffer.byteLength(v) > TAG_VALUE_MAX) throw err.badTagging('a value is too long');
    if (Object.prototype.hasOwnProperty.call(tags, k)) throw err.badTagging(`the key ${k} appears twice`);
    tags[k] = v;
  }
  return tags;
}

/*
 * What the form's fields store with the object: {acl, storageClass, sse, sseKeyId, tagging,
 * headers, meta}; each value checked as OSS would (InvalidArgument, ...).
 */
function objectFields(f) {
  const meta = {};
  const headers = {};
  for (const [name, value] of f) {
    if (name.startsWith('x-oss-meta-')) meta[name] = value;
    else if (HEADER_FIELDS.includes(name)) headers[name] = value;
    else if (name !== 'content-type' && name !== 'x-oss-content-type') continue;
    checkHeaderField(name, value);
  }
  // x-oss-object-acl, and acl (OSS documents its values too): which wins when both are sent is not
  // documented, so the more public one does (the attacker's best case).
  let acl = 'default';
  for (const name of ['x-oss-object-acl', 'acl']) {
    if (!f.has(name)) continue;
    const v = f.get(name);
    if (!OBJECT_ACLS.includes(v)) throw err.badAcl();
    if (name === 'x-oss-object-acl' || ACL_RANK[v] > ACL_RANK[acl]) acl = v;
  }
  const storageClass = f.has('x-oss-storage-class') ? f.get('x-oss-storage-class') : 'Standard';
  if (!STORAGE_CLASSES.includes(storageClass)) throw err.badStorageClass();
  const sse = f.has('x-oss-server-side-encryption') ? f.get('x-oss-server-side-encryption') : null;
  if (sse !== null && !SSE_ALGORITHMS.includes(sse)) throw err.badSse();
  const sseKeyId = f.has('x-oss-server-side-encryption-key-id') ? f.get('x-oss-server-side-encryption-key-id') : null;
  if (sseKeyId !== null && sse !== 'KMS') throw err.keyIdWithoutKms();
  if (sseKeyId !== null) checkHeaderField('x-oss-server-side-encryption-key-id', sseKeyId);
  const tagging = f.has('x-oss-tagging') ? parseTagging(f.get('x-oss-tagging')) : null;
  return { acl, storageClass, sse, sseKeyId, tagging, headers, meta };
}

/*
 * The upload-callback hook.  check(ctx, fields) runs with the other form checks, before the
 * file is stored, and may refuse the form; after(ctx, upload) runs once the object is stored
 * ({key, etag, size, contentType, fields}) and returns true when it has answered the request
 * itself (OSS relays the application's answer, or 203 CallbackFailed).  Upload callbacks
 * (tests/emu/oss-callback.js, later) pass another hook as the constructor's `callback` option.
 * Until then a callback field is refused.
 */
const CALLBACK_NONE = Object.freeze({
  check(ctx, f) {
    if (f.has('callback')) throw err.notImplemented('Upload callback');
  },
  async after() {
    return false;
  },
});

/* ---------------------------------------------------------------- the emulator */

class Emulator {
  constructor(opts) {
    this.stateDir = path.resolve(opts.state);
    this.bucket = opts.bucket;
    this.region = opts.region;
    this.versioned = !!opts.versioned;
    this.cors = opts.corsOrigins; // null (no rule), '*' or array of exact origins
    this.ledger = opts.ledger;
    this.hostId = `${this.bucket}.oss-${this.region}.aliyuncs.com`;
    this.objRoot = path.join(this.stateDir, 'objects', this.bucket);
    this.metaRoot = path.join(this.stateDir, 'meta', this.bucket);
    this.tmpRoot = path.join(this.stateDir, 'tmp');
    for (const d of [this.objRoot, this.metaRoot, this.tmpRoot]) fs.mkdirSync(d, { recursive: true });
    this.stats = { requests: 0, uploads_ok: 0, errors: {}, error_total: 0, recent_errors: [] };
    this.tmpFiles = new Set();
    this.callback = opts.callback || CALLBACK_NONE;
    // The route table: {method, when(r) -> bool, run(ctx, r)}, first match wins; r is
    // {path, query, key} (key: the decoded object name, or null for "/").  opts.routes (multipart
    // uploads, later) come first.
    this.routes = [
      ...(opts.routes || []),
      { method: 'GET', when: (r) => r.path === '/_emu/stats', run: (ctx) => this.sendJson(ctx, this.stats) },
      { method: 'GET', when: (r) => r.path === '/_emu/objects',
        run: (ctx, r) => this.sendJson(ctx, { bucket: this.bucket, objects: this.listObjects(r.query.get('prefix') || '') }) },
      { method: ['GET', 'HEAD'], when: (r) => r.path === '/_emu/object', run: (ctx, r) => this.adminObject(ctx, r) },
      { method: '*', when: (r) => r.path.startsWith('/_emu/'),
        run: (ctx) => { ctx.req.resume(); throw ctx.req.method === 'GET' ? err.noSuchKey() : err.method(); } },
      { method: 'OPTIONS', when: () => true, run: (ctx) => this.preflight(ctx) },
      { method: 'POST', when: (r) => r.path === '/', run: (ctx) => this.postObject(ctx) },
      { method: ['GET', 'HEAD'], when: (r) => r.key !== null, run: (ctx, r) => this.getObject(ctx, r.key) },
      { method: 'PUT', when: (r) => r.key !== null, run: (ctx, r) => this.putObject(ctx, r.key) },
      { method: 'DELETE', when: (r) => r.key !== null, run: (ctx, r) => this.deleteObject(ctx, r.key) },
      // GET / (ListObjects), PUT / (PutBucket)...: anonymous on a private bucket.
      { method: ['GET', 'HEAD', 'PUT', 'DELETE'], when: () => true, run: (ctx) => { ctx.req.resume(); throw err.anonymous(); } },
    ];
  }

  /* ----- responses */

  corsMatch(req) {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || this.cors === null) return null;
    if (this.cors === '*') return '*';
    return this.cors.includes(origin) ? origin : null;
  }

  baseHeaders(ctx) {
    const h = {
      'x-oss-request-id': ctx.rid,
      Date: new Date().toUTCString(),
      Server: 'AliyunOSS',
    };
    if (this.cors !== null) h.Vary = 'Origin';
    const allow = ctx.corsDenied ? null : this.corsMatch(ctx.req);
    if (allow) {
      h['Access-Control-Allow-Origin'] = allow;
      h['Access-Control-Allow-Methods'] = CORS_METHODS.join(', ');
      h['Access-Control-Expose-Headers'] = CORS_EXPOSE;
      h['Access-Control-Max-Age'] = CORS_MAX_AGE;
    }
    return h;
  }

  log(ctx, status, code, ec) {
    const extra = code ? ` ${code} ${ec}` : '';
    process.stderr.write(`oss-emu: ${ctx.req.method} ${ctx.logPath} ${status}${extra} ${ctx.rid}\n`);
  }

  sendError(ctx, e) {
    if (!(e instanceof OssError)) {
      process.stderr.write(`oss-emu: internal: ${e && e.stack ? e.stack.split('\n')[0] : e}\n`);
      e = err.internal('unexpected failure');
    }
    if (ctx.sent) return;
    ctx.sent = true;
    const st = this.stats;
    st.errors[e.code] = (st.errors[e.code] || 0) + 1;
    st.error_total++;
    st.recent_errors.push({ status: e.status, code: e.code, ec: e.ec, message: e.message });
    if (st.recent_errors.length > LIMITS.RECENT_ERRORS) st.recent_errors.shift();
    let body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
      `  <Code>${xmlEscape(e.code)}</Code>\n` +
      `  <Message>${xmlEscape(e.message)}</Message>\n` +
      `  <RequestId>${ctx.rid}</RequestId>\n` +
      `  <HostId>${xmlEscape(this.hostId)}</HostId>\n`;
    for (const [k, v] of e.extra || []) body += `  <${k}>${xmlEscape(v)}</${k}>\n`;
    body += `  <EC>${e.ec}</EC>\n` +
      `  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=${e.ec}</RecommendDoc>\n</Error>\n`;
    const buf = Buffer.from(body, 'utf8');
    const h = this.baseHeaders(ctx);
    h['Content-Type'] = 'application/xml';
    h['Content-Length'] = String(buf.length);
    h['x-oss-ec'] = e.ec;
    if (ctx.req.method === 'HEAD') h['x-oss-err'] = buf.toString('base64'); // HEAD has no body
    ctx.res.writeHead(e.status, h);
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : buf);
    this.log(ctx, e.status, e.code, e.ec);
  }

  sendJson(ctx, obj) {
    const buf = Buffer.from(`${JSON.stringify(obj, null, 1)}\n`, 'utf8');
    const h = this.baseHeaders(ctx);
    h['Content-Type'] = 'application/json';
    h['Content-Length'] = String(buf.length);
    h['Cache-Control'] = 'no-store';
    ctx.sent = true;
    ctx.res.writeHead(200, h);
    ctx.res.end(buf);
    this.log(ctx, 200);
  }

  /* ----- dispatch */

  handle(req, res) {
    const ctx = { req, res, rid: requestId(), now: Date.now(), sent: false, logPath: '/' };
    this.stats.requests++;
    // Raw request target, not WHATWG URL: it would fold "..", "." and "%2E%2E" segments, which are
    // ordinary characters of OSS keys.
    let target = req.url || '/';
    const abs = /^https?:\/\/[^/]*/i.exec(target);
    if (abs) target = target.slice(abs[0].length) || '/';
    const q = target.indexOf('?');
    const p = q < 0 ? target : target.slice(0, q);
    ctx.logPath = p; // never the query string (signed URLs carry signatures there)
    const r = { path: p, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), key: null };
    const run = async () => {
      if (p !== '/' && p.startsWith('/') && !p.startsWith('/_emu/')) {
        try {
          r.key = decodeURIComponent(p.slice(1));
        } catch (e) {
          req.resume();
          throw err.badObjectName('The specified object is not valid.');
        }
      }
      const route = this.routes.find((x) => (x.method === '*' || [].concat(x.method).includes(req.method)) && x.when(r));
      if (!route) {
        req.resume();
        throw err.method();
      }
      return route.run(ctx, r);
    };
    run().catch((e) => this.sendError(ctx, e));
  }

  /* ----- CORS preflight */

  preflight(ctx) {
    const { req, res } = ctx;
    req.resume();
    ctx.corsDenied = true; // a refused preflight carries no Access-Control-* header
    if (this.cors === null) throw err.corsDisabled();
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (typeof origin !== 'string' || typeof method !== 'string') throw err.corsDenied();
    const allow = this.corsMatch(req);
    if (!allow || !CORS_METHODS.includes(method.trim())) throw err.corsDenied();
    ctx.corsDenied = false;
    const h = this.baseHeaders(ctx);
    h['Access-Control-Allow-Methods'] = CORS_METHODS.join(', ');
    const reqHeaders = req.headers['access-control-request-headers'];
    if (typeof reqHeaders === 'string' && reqHeaders.trim() !== '') {
      h['Access-Control-Allow-Headers'] = reqHeaders.trim().toLowerCase(); // AllowedHeader: *
    }
    h['Content-Length'] = '0';
    ctx.sent = true;
    res.writeHead(200, h);
    res.end();
    this.log(ctx, 200);
  }

  /* ----- storage */

  paths(key) {
    const segs = key.split('/').map(encodeSegment);
    const data = path.join(this.objRoot, ...segs);
    const meta = `${path.join(this.metaRoot, ...segs)}.json`;
    if (!data.startsWith(this.objRoot + path.sep) || !meta.startsWith(this.metaRoot + path.sep)) {
      throw err.internal('object path escapes the bucket directory');
    }
    return { data, meta };
  }

  readMeta(key) {
    const { data, meta } = this.paths(key);
    let m;
    try {
      m = JSON.parse(fs.readFileSync(meta, 'utf8'));
    } catch (e) {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
      throw e;
    }
    if (!m || m.key !== key) return null;
    return { m, data };
  }

  listObjects(prefix) {
    const out = [];
    const walk = (dir) => {
      let ents;
      try {
        ents = fs.readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        return;
      }
      for (const d of ents) {
        const p = path.join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else if (d.isFile() && d.name.endsWith('.json')) {
          try {
            const m = JSON.parse(fs.readFileSync(p, 'utf8'));
            if (typeof m.key === 'string' && m.key.startsWith(prefix)) {
              out.push({
                key: m.key, size: m.size, etag: m.etag, content_type: m.contentType, acl: m.acl || 'default',
                storage_class: m.storageClass || 'Standard', sse: m.sse || null, sse_key_id: m.sseKeyId || null,
                tagging: m.tagging || null, headers: m.headers || {}, meta: m.meta || {},
                last_modified: m.lastModified, version_id: m.versionId || null,
              });
            }
          } catch (e) { /* a sidecar being replaced */ }
        }
      }
    };
    walk(this.metaRoot);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  // Anonymous access to an object [ACL]: the bucket is private, so only the object's own
  // public-read / public-read-write ACL lets anyone in; an absent key is refused the same way.
  anonymousAllowed(found, write) {
    const acl = found ? found.m.acl || 'default' : 'default';
    return write ? acl === 'public-read-write' : acl === 'public-read' || acl === 'public-read-write';
  }

  getObject(ctx, key) {
    ctx.req.resume();
    const found = this.readMeta(key);
    if (!this.anonymousAllowed(found, false)) throw err.anonymous();
    if (ARCHIVE_CLASSES.has(found.m.storageClass)) throw err.archived();
    return this.sendObject(ctx, key, found);
  }

  // GET/HEAD /_emu/object?key=K: what the owner's signed GET would return, whatever the ACL.
  adminObject(ctx, r) {
    ctx.req.resume();
    const key = r.query.get('key');
    if (key === null || key === '') throw err.noSuchKey();
    const found = this.readMeta(key);
    if (!found) throw err.noSuchKey(key);
    return this.sendObject(ctx, key, found);
  }

  sendObject(ctx, key, found) {
    const { m, data } = found;
    let st;
    try {
      st = fs.statSync(data);
    } catch (e) {
      throw err.noSuchKey(key);
    }
    const h = this.baseHeaders(ctx);
    h['Content-Type'] = headerValue(m.contentType);
    h['Content-Length'] = String(st.size);
    h.ETag = m.etag;
    h['Last-Modified'] = new Date(m.lastModified).toUTCString();
    h['Accept-Ranges'] = 'bytes';
    h['x-oss-object-type'] = 'Normal';
    h['x-oss-storage-class'] = m.storageClass || 'Standard';
    if (m.sse) h['x-oss-server-side-encryption'] = m.sse;
    if (m.sseKeyId) h['x-oss-server-side-encryption-key-id'] = headerValue(m.sseKeyId);
    if (m.tagging) h['x-oss-tagging-count'] = String(Object.keys(m.tagging).length);
    if (m.versionId) h['x-oss-version-id'] = m.versionId;
    for (const [k, v] of Object.entries(m.headers || {})) h[k] = headerValue(v);
    for (const [k, v] of Object.entries(m.meta || {})) h[k] = headerValue(v);
    ctx.sent = true;
    ctx.res.writeHead(200, h);
    if (ctx.req.method === 'HEAD') {
      ctx.res.end();
    } else {
      const rs = fs.createReadStream(data);
      rs.on('error', () => ctx.res.destroy());
      rs.pipe(ctx.res);
    }
    this.log(ctx, 200);
  }

  // Anonymous PUT /<key>: only over an object whose ACL is public-read-write [ACL].  The new
  // object takes the request's Content-Type and x-oss-object-acl headers (else default).
  putObject(ctx, key) {
    const { req } = ctx;
    if (!this.anonymousAllowed(this.readMeta(key), true)) {
      req.resume();
      throw err.anonymous();
    }
    const acl = typeof req.headers['x-oss-object-acl'] === 'string' ? req.headers['x-oss-object-acl'] : 'default';
    const ctype = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : 'application/octet-stream';
    if (!OBJECT_ACLS.includes(acl)) {
      req.resume();
      throw err.badAcl();
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= LIMITS.PRE_FILE_MAX) chunks.push(c);
    });
    req.on('end', () => {
      try {
        if (size > LIMITS.PRE_FILE_MAX) throw err.tooLarge(); // emulator limit for anonymous PUT
        const body = Buffer.concat(chunks);
        const { data, meta } = this.paths(key);
        const tmp = path.join(this.tmpRoot, `put-${ctx.rid}`);
        fs.writeFileSync(tmp, body);
        fs.renameSync(tmp, data);
        const etag = `"${crypto.createHash('md5').update(body).digest('hex').toUpperCase()}"`;
        this.writeMeta(meta, {
          key, size: body.length, etag, contentType: ctype, acl, storageClass: 'Standard', sse: null,
          sseKeyId: null, tagging: null, headers: {}, meta: {}, lastModified: new Date().toISOString(),
          versionId: null,
        });
        const h = this.baseHeaders(ctx);
        h.ETag = etag;
        h['Content-Length'] = '0';
        ctx.sent = true;
        ctx.res.writeHead(200, h);
        ctx.res.end();
        this.log(ctx, 200);
      } catch (e) {
        this.sendError(ctx, e);
      }
    });
  }

  // Anonymous DELETE /<key>: only of a public-read-write object [ACL]; 204.
  deleteObject(ctx, key) {
    ctx.req.resume();
    const found = this.readMeta(key);
    if (!this.anonymousAllowed(found, true)) throw err.anonymous();
    fs.rmSync(found.data, { force: true });
    fs.rmSync(this.paths(key).meta, { force: true });
    ctx.sent = true;
    ctx.res.writeHead(204, this.baseHeaders(ctx));
    ctx.res.end();
    this.log(ctx, 204);
  }

  /* ----- PostObject */

  postObject(ctx) {
    const { req } = ctx;
    const boundary = boundaryOf(req.headers['content-type']);
    const st = {
      error: boundary ? null : err.notMultipart(),
      fields: new Map(),
      badUtf8: new Set(),
      fileSeen: false,
      fileName: null,
      partType: null,
      auth: null,
      tmp: null,
      ws: null,
      wsDone: null,
      size: 0,
      md5: crypto.createHash('md5'),
    };
    const fail = (e) => {
      if (st.error) return;
      st.error = e;
      this.dropTmp(st);
      req.resume(); // it may be paused waiting for the (now destroyed) file stream to drain
    };
    const parser = boundary && new MultipartParser(boundary, {
      field: (name, value) => {
        if (st.fields.has(name)) throw err.duplicateField(name);
        if (!isValidUtf8(value)) st.badUtf8.add(name);
        st.fields.set(name, value.toString('utf8'));
      },
      fileStart: (filename, partType) => {
        st.fileSeen = true;
        st.fileName = filename;
        st.partType = partType;
        st.auth = this.checkForm(ctx, st.fields, filename, partType, st.badUtf8);
        st.tmp = path.join(this.tmpRoot, `upload-${ctx.rid}`);
        this.tmpFiles.add(st.tmp);
        st.ws = fs.createWriteStream(st.tmp, { flags: 'wx' });
        st.wsDone = new Promise((resolve, reject) => {
          st.ws.on('finish', resolve);
          st.ws.on('error', reject);
        });
        st.wsDone.catch(() => {});
      },
      fileData: (buf) => {
        st.size += buf.length;
        if (st.size > LIMITS.OBJECT_MAX) throw err.tooLarge();
        st.md5.update(buf);
        if (!st.ws.write(buf)) {
          req.pause();
          st.ws.once('drain', () => req.resume());
        }
      },
      fileEnd: () => {
        st.ws.end();
        // The rest of the body is ignored; and a stream that is ending never emits 'drain', so a
        // pause from the last fileData() must be lifted here or 'end' would never come.
        req.resume();
      },
    });
    req.on('data', (chunk) => {
      if (st.error) return;
      try {
        parser.write(chunk);
      } catch (e) {
        fail(e);
      }
    });
    req.on('error', () => {
      this.dropTmp(st);
      ctx.sent = true;
    });
    req.on('end', () => {
      this.finishPost(ctx, st, parser).catch((e) => {
        this.dropTmp(st);
        this.sendError(ctx, e);
      });
    });
  }

  dropTmp(st) {
    const tmp = st.tmp;
    const ws = st.ws;
    st.ws = null;
    st.tmp = null;
    if (!tmp) {
      if (ws) ws.destroy();
      return;
    }
    // The stream may still be opening the file: remove it once the stream
    // is closed, and keep it listed until then so a shutdown removes it too.
    const done = () => {
      fs.rmSync(tmp, { force: true });
      this.tmpFiles.delete(tmp);
    };
    if (ws && !ws.closed) {
      ws.once('close', done);
      ws.destroy();
    } else {
      if (ws) ws.destroy();
      done();
    }
  }

  async finishPost(ctx, st, parser) {
    if (!st.error) {
      try {
        if (!st.fileSeen) {
          // A closing delimiter without `file`, or a body that ends early.
          if (parser.state === 'done') throw err.noFile();
          parser.end();
        }
        if (parser.state !== 'done') throw err.malformed();
      } catch (e) {
        st.error = e;
      }
    }
    if (st.error) {
      this.dropTmp(st);
      throw st.error;
    }
    await st.wsDone;
    const a = st.auth;
    for (const r of a.ranges) {
      if (st.size > r.max) throw err.tooLarge();
      if (st.size < r.min) throw err.tooSmall();
    }
    const etag = `"${st.md5.digest('hex').toUpperCase()}"`;
    const versionId = this.versioned ? crypto.randomBytes(16).toString('hex') : null;
    this.commit(st, a, etag, versionId);
    this.stats.uploads_ok++;
    const upload = { key: a.key, etag, size: st.size, contentType: a.contentType, fields: st.fields };
    if (await this.callback.after(ctx, upload)) return;
    this.respondUpload(ctx, a, etag, versionId);
  }

  /*
   * Every check that needs only the fields; runs when the `file` part begins (partType: that
   * part's Content-Type header, or null).  Returns what the upload needs afterwards: {key,
   * ranges, forbidOverwrite, contentType, acl, storageClass, sse, sseKeyId, tagging, headers,
   * meta, status, redirect}.
   */
  checkForm(ctx, f, filename, partType, badUtf8) {
    // Shape and signature fields.
    if (!f.has('key')) throw err.noKey();
    const version = f.get('x-oss-signature-version');
    if (version === undefined) {
      if (f.has('ossaccesskeyid') || f.has('signature')) throw err.notImplemented('The V1 PostObject signature');
      if (f.has('x-oss-credential') || f.has('x-oss-signature') || f.has('policy')) throw err.badVersion();
      throw err.anonymous();
    }
    if (version !== SIGNATURE_VERSION) throw err.badVersion();
    if (!f.has('policy')) throw err.noPolicy();
    if (!f.has('x-oss-signature')) throw err.noSignature();
    const signature = f.get('x-oss-signature');
    if (signature === '') throw err.emptySignature();

    // Credential scope: AKID/yyyymmdd/region/oss/aliyun_v4_request.
    const cred = f.get('x-oss-credential');
    if (cred === undefined) throw err.badCredential('missing');
    const parts = cred.split('/');
    if (parts.length !== 5) throw err.badCredential('expected AKID/yyyymmdd/region/oss/aliyun_v4_request');
    const [akid, scopeDate, region, product, terminator] = parts;
    if (terminator !== 'aliyun_v4_request') throw err.badCredential('it must end with aliyun_v4_request');
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(akid)) throw err.badAkid();
    if (!/^\d{8}$/.test(scopeDate) || !Number.isFinite(parseIso(
      `${scopeDate.slice(0, 4)}-${scopeDate.slice(4, 6)}-${scopeDate.slice(6, 8)}T00:00:00Z`))) {
      throw err.badSignDate('not yyyymmdd');
    }
    if (region !== this.region) throw err.badRegion(cred);
    if (product !== 'oss') throw err.badCredential(`unknown product '${product}'`);
    if (credentialScope(akid, scopeDate, region) !== cred) throw err.badCredential('not canonical');

    // x-oss-date: format, same day as the scope, within 15 minutes of the clock.
    const xdate = f.get('x-oss-date');
    const dm = typeof xdate === 'string' && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xdate);
    const dateMs = dm ? parseIso(`${dm[1]}-${dm[2]}-${dm[3]}T${dm[4]}:${dm[5]}:${dm[6]}Z`) : NaN;
    if (!Number.isFinite(dateMs)) throw err.badDate();
    if (xdate.slice(0, 8) !== scopeDate) throw err.badSignDate('it is not the day of x-oss-date');
    if (Math.abs(ctx.now - dateMs) > LIMITS.SKEW_MS) throw err.skewed();

    // Access key and security token (ledger).
    const key = this.accessKey(ctx, akid, f.get('x-oss-security-token'));

    // Signature over the policy's base64 text, exactly as received.
    const policyB64 = f.get('policy');
    const expected = Buffer.from(computeSignature(key.secret, scopeDate, region, policyB64), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw err.signature();

    // Policy document, expiration, conditions.  A field no condition names is accepted [PO];
    // only the V4 fields (and the token) must be named [V4].
    const policy = parsePolicy(policyB64);
    if (ctx.now >= policy.expiration) throw err.policyExpired();
    const covered = new Set();
    const ranges = [];
    for (const c of policy.conditions) {
      if (c.op === 'content-length-range') {
        ranges.push(c);
        continue;
      }
      covered.add(c.field);
      const value = c.field === 'bucket' ? this.bucket : f.get(c.field);
      if (value === undefined) throw err.condMissing(c);
      if (!conditionHolds(c, value)) throw err.condFailed(c);
    }
    for (const name of SIGNED_FIELDS) {
      if (f.has(name) && !covered.has(name)) throw err.extraField(name);
    }

    // The object name, after the policy check.
    let objectKey = f.get('key');
    if (objectKey.includes('${filename}')) {
      const base = typeof filename === 'string' ? filename.split(/[\\/]/).pop() : '';
      objectKey = objectKey.split('${filename}').join(base);
    }
    if (objectKey === '') throw err.badObjectName('The Object name can not be empty');
    if (Buffer.byteLength(objectKey, 'utf8') > LIMITS.KEY_MAX) {
      throw err.badObjectName('The Length of Object name must be less than 1024');
    }
    if (objectKey.startsWith('/') || objectKey.startsWith('\\') || badUtf8.has('key') || objectKey.includes('\0')) {
      throw err.badObjectName('The specified object is not valid.');
    }

    const stored = objectFields(f);
    // An STS credential's session policy (ledger field `policy`) must allow every action the
    // upload needs [PERM]; its conditions see the ACL the form asks for [RAM].
    if (typeof key.policy === 'string' && key.policy !== '') {
      const context = { 'oss:x-oss-object-acl': stored.acl };
      for (const { action, resource } of uploadActions(f, this.bucket, this.region, objectKey)) {
        if (!sessionPolicyAllows(key.policy, action, resource, context)) throw err.sessionPolicy();
      }
    }
    this.callback.check(ctx, f);

    return {
      key: objectKey,
      ranges,
      forbidOverwrite: (f.get('x-oss-forbid-overwrite') || '').toLowerCase() === 'true',
      contentType: storedContentType(f, partType),
      ...stored,
      status: f.get('success_action_status'),
      redirect: f.get('success_action_redirect') || null,
    };
  }

  /*
   * The signing key of akid with the security token sent (undefined: none), from the ledger:
   * {secret, token, policy, ...}, or throws InvalidAccessKeyId, InvalidSecurityToken or
   * SecurityTokenExpired as OSS does.  Shared by PostObject and the multipart API.
   */
  accessKey(ctx, akid, token) {
    const now = new Date(ctx.now);
    if (token !== undefined) {
      const r = this.ledger.checkToken(this.stateDir, akid, token, now);
      if (r === 'expired') throw err.tokenExpired();
      if (r !== 'ok') {
        if (!this.ledger.lookupAccessKey(this.stateDir, akid, now)) throw err.unknownAkid();
        throw err.tokenInvalid();
      }
    }
    const key = this.ledger.lookupAccessKey(this.stateDir, akid, now);
    if (!key) throw err.unknownAkid();
    if (key.disabled === true) throw err.disabledAkid();
    if (key.token && token === undefined) throw err.unknownAkid();
    if (key.token && key.expiration) {
      const e = key.expiration;
      const exp = e instanceof Date ? e.getTime() : typeof e === 'number' ? e : Date.parse(e);
      if (ctx.now >= exp) throw err.tokenExpired();
    }
    return key;
  }

  commit(st, a, etag, versionId) {
    const { data, meta } = this.paths(a.key);
    const tmp = st.tmp;
    try {
      fs.mkdirSync(path.dirname(data), { recursive: true });
      fs.mkdirSync(path.dirname(meta), { recursive: true });
      if (a.forbidOverwrite && !this.versioned) {
        try {
          fs.linkSync(tmp, data); // atomic: fails if the key exists
        } catch (e) {
          if (e.code === 'EEXIST') throw err.exists();
          throw e;
        }
        fs.rmSync(tmp, { force: true });
      } else {
        fs.renameSync(tmp, data);
      }
    } catch (e) {
      this.dropTmp(st);
      if (e instanceof OssError) throw e;
      throw err.internal(`cannot store the object (${e.code || 'error'}); a key cannot be both an object and a prefix of another in this emulator`);
    }
    this.tmpFiles.delete(tmp);
    st.tmp = null;
    this.writeMeta(meta, {
      key: a.key,
      size: st.size,
      etag,
      contentType: a.contentType,
      acl: a.acl,
      storageClass: a.storageClass,
      sse: a.sse,
      sseKeyId: a.sseKeyId,
      tagging: a.tagging,
      headers: a.headers,
      meta: a.meta,
      lastModified: new Date().toISOString(),
      versionId,
    });
  }

  writeMeta(meta, sidecar) {
    const metaTmp = `${meta}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(metaTmp, JSON.stringify(sidecar));
    fs.renameSync(metaTmp, meta);
  }

  respondUpload(ctx, a, etag, versionId) {
    const h = this.baseHeaders(ctx);
    h.ETag = etag;
    if (versionId) h['x-oss-version-id'] = versionId;
    const location = `http://${ctx.req.headers.host || this.hostId}/${encodeKeyUrl(a.key)}`;
    let status = 204;
    let body = null;
    if (a.redirect) {
      const sep = a.redirect.includes('?') ? '&' : '?';
      h.Location = `${a.redirect}${sep}bucket=${encodeURIComponent(this.bucket)}` +
        `&key=${encodeURIComponent(a.key)}&etag=${encodeURIComponent(etag)}`;
      status = 303;
    } else if (a.status === '200') {
      status = 200;
    } else if (a.status === '201') {
      status = 201;
      body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>\n' +
        `  <Bucket>${xmlEscape(this.bucket)}</Bucket>\n` +
        `  <Location>${xmlEscape(location)}</Location>\n` +
        `  <Key>${xmlEscape(a.key)}</Key>\n` +
        `  <ETag>${xmlEscape(etag)}</ETag>\n</PostResponse>\n`, 'utf8');
      h['Content-Type'] = 'application/xml';
    }
    if (status !== 204) h['Content-Length'] = String(body ? body.length : 0);
    ctx.sent = true;
    ctx.res.writeHead(status, h);
    ctx.res.end(body || undefined);
    this.log(ctx, status);
  }
}

/* ---------------------------------------------------------------- command line */

function usage(msg) {
  if (msg) process.stderr.write(`oss-emu: ${msg}\n`);
  process.stderr.write('usage: oss.js --state DIR --port N --bucket NAME [--region REGION] ' +
    '[--cors-origins "ORIGIN ..." | "*"] [--versioned] [--callback-key FILE [--callback-key-url URL] ' +
    '[--callback-ca FILE]]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    state: null, port: null, bucket: null, region: 'cn-hangzhou', corsOrigins: null, versioned: false,
    callbackKey: null, callbackKeyUrl: null, callbackCa: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--state': o.state = val(); break;
      case '--port': o.port = val(); break;
      case '--bucket': o.bucket = val(); break;
      case '--region': o.region = val(); break;
      case '--cors-origins': o.corsOrigins = val(); break;
      case '--versioned': o.versioned = true; break;
      case '--callback-key': o.callbackKey = val(); break;
      case '--callback-key-url': o.callbackKeyUrl = val(); break;
      case '--callback-ca': o.callbackCa = val(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.state) usage('--state is required');
  if (!o.bucket) usage('--bucket is required');
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(o.bucket)) usage('invalid bucket name');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(o.region) || o.region.startsWith('oss-')) {
    usage('--region takes a plain region id such as cn-hangzhou');
  }
  const port = o.port === null ? 0 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('invalid --port');
  o.port = port;
  if (o.corsOrigins !== null) {
    const list = o.corsOrigins.split(/\s+/).filter(Boolean);
    if (list.length === 1 && list[0] === '*') o.corsOrigins = '*';
    else {
      for (const origin of list) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) usage(`invalid origin ${origin}`);
      }
      o.corsOrigins = list.length ? list : null;
    }
  }
  return o;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  // The ledger is written by the STS emulator's author; load it only when serving.
  const ledger = require(path.join(__dirname, 'ledger.js'));
  // Multipart uploads plug into the route table (tests/emu/oss-multipart.js); upload callbacks
  // (tests/emu/oss-callback.js) with a test key, when given one, into the callback hook.
  const { Multipart } = require(path.join(__dirname, 'oss-multipart.js'));
  const multipart = new Multipart();
  const cb = require(path.join(__dirname, 'oss-callback.js')).hookFromArgs(o);
  const routes = [...multipart.routes, ...(cb ? cb.routes : [])];
  const emu = new Emulator({ ...o, ledger, routes, ...(cb ? { callback: cb } : {}) });
  multipart.attach(emu);
  if (cb) cb.attach(emu);
  const server = http.createServer((req, res) => emu.handle(req, res));
  server.on('clientError', (e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const t of emu.tmpFiles) fs.rmSync(t, { force: true });
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.listen(o.port, '127.0.0.1', () => {
    process.stdout.write(`listening ${server.address().port}\n`);
  });
}

module.exports = {
  computeSignature, credentialScope, parsePolicy, formatCondition, sessionPolicyAllows, storedContentType,
  MultipartParser, LIMITS, OssError, CALLBACK_NONE, Emulator, err, xmlEscape, requestId, encodeKeyUrl,
  isValidUtf8, checkHeaderField, parseIso, SIGNATURE_VERSION, STORAGE_CLASSES,
};

if (require.main === module) main();
