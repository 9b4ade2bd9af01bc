'use strict';
// tests/bench/node/cached.js: the vendor guide's Node.js signing server (see vendor.js) with the one
// change a careful user would make first: the STS credentials, and the OSS client built from them,
// are kept until they need refreshing instead of calling AssumeRole on every request.  Everything a
// request does after that is the guide's code: same policy, same signing calls, same answer.
// The refresh rule is ossign's: refresh when less than min(900 s, half the lifetime) is left; one
// AssumeRole in flight at a time (concurrent requests wait for it); a failed refresh keeps serving
// the old credentials while they have more than 60 s left.
// Environment: as vendor.js.  Used by tests/bench/run; not a test.
const express = require('express');
const OSS = require('ali-oss');
const { STS } = require('ali-oss');
const { getCredential } = require('ali-oss/lib/common/signUtils');
const { getStandardRegion } = require('ali-oss/lib/common/utils/getStandardRegion');
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str');

const app = express();
const PORT = process.env.PORT || 8000;

app.use(express.static(process.env.BENCH_STATIC || 'templates'));

const sts = new STS({
    accessKeyId: process.env.OSS_ACCESS_KEY_ID,
    accessKeySecret: process.env.OSS_ACCESS_KEY_SECRET,
    endpoint: process.env.OSS_STS_ENDPOINT
});

let cached = null;      // { client, expires, refreshAt }
let refreshing = null;  // the AssumeRole in flight

async function assume() {
    const obtained = Date.now();
    const result = await sts.assumeRole(process.env.OSS_STS_ROLE_ARN, '', '3600', 'yourRoleSessionName');
    const c = result.credentials;
    const expires = Date.parse(c.Expiration);
    const lifetime = expires - obtained;
    const client = new OSS({
        bucket: 'examplebucket',
        region: 'cn-hangzhou',
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        stsToken: c.SecurityToken,
        refreshSTSTokenInterval: 0,
    });
    return { client, expires, refreshAt: expires - Math.min(900e3, lifetime / 2) };
}

async function getClient() {
    const now = Date.now();
    if (cached && now < cached.refreshAt)
        return cached.client;
    if (!refreshing) {
        refreshing = assume().then((c) => { cached = c; }).finally(() => { refreshing = null; });
    }
    try {
        await refreshing;
    } catch (e) {
        if (cached && cached.expires - Date.now() > 60e3)
            return cached.client;
        throw e;
    }
    return cached.client;
}

function padTo2Digits(num) {
    return num.toString().padStart(2, '0');
}
function formatDateToUTC(date) {
    return (
        date.getUTCFullYear() +
        padTo2Digits(date.getUTCMonth() + 1) +
        padTo2Digits(date.getUTCDate()) +
        'T' +
        padTo2Digits(date.getUTCHours()) +
        padTo2Digits(date.getUTCMinutes()) +
        padTo2Digits(date.getUTCSeconds()) +
        'Z'
    );
}

const GenerateSignature = async () => {
    const client = await getClient();
    const formData = new Map();

    const date = new Date();
    const expirationDate = new Date(date);
    expirationDate.setMinutes(date.getMinutes() + 10);
    const formattedDate = formatDateToUTC(expirationDate);

    const credential = getCredential(formattedDate.split('T')[0], getStandardRegion(client.options.region), client.options.accessKeyId);
    formData.set('x_oss_date', formattedDate);
    formData.set('x_oss_credential', credential);
    formData.set('x_oss_signature_version', 'OSS4-HMAC-SHA256');

    const policy = {
        expiration: expirationDate.toISOString(),
        conditions: [
            { 'bucket': 'examplebucket'},
            { 'x-oss-credential': credential },
            { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
            { 'x-oss-date': formattedDate },
        ],
    };
    if (client.options.stsToken) {
        policy.conditions.push({ 'x-oss-security-token': client.options.stsToken });
        formData.set('security_token', client.options.stsToken);
    }

    const signature = client.signPostObjectPolicyV4(policy, date);
    formData.set('policy', Buffer.from(policy2Str(policy), 'utf8').toString('base64'));
    formData.set('signature', signature);

    return {
        host: `http://${client.options.bucket}.oss-${client.options.region}.aliyuncs.com`,
        policy: Buffer.from(policy2Str(policy), 'utf8').toString('base64'),
        x_oss_signature_version: 'OSS4-HMAC-SHA256',
        x_oss_credential: credential,
        x_oss_date: formattedDate,
        signature: signature,
        dir: 'user-dir',
        security_token: client.options.stsToken
    };
};

app.get('/get_post_signature_for_oss_upload', async (req, res) => {
    try {
        const result = await GenerateSignature();
        res.json(result);
    } catch (error) {
        console.error('Error generating signature:', error.message);
        res.status(500).send('Error generating signature');
    }
});

const server = app.listen(PORT, '127.0.0.1', () => {
    console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
