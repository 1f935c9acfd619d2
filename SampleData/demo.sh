#!/usr/bin/env bash
# The `make run` demo: sets up a registry in $DATA from SampleData and checks every case of cases.tsv.
set -uo pipefail
cd "$(dirname "$0")"
BULKRA=${BULKRA:-../.build/debug/bulkra}
case "$BULKRA" in /*) ;; *) BULKRA="$OLDPWD/${BULKRA#./}" ;; esac
DATA=${DATA:-./bulkra-data}
case "$DATA" in /*) ;; *) DATA="$OLDPWD/${DATA#./}" ;; esac

rm -rf "$DATA"
echo "== bulkra init --data $DATA"
"$BULKRA" init --data "$DATA" || exit 2

echo
echo "== institutions: apply institutions/institutions-valid.tsv (CP932, CRLF)"
"$BULKRA" institutions apply institutions/institutions-valid.tsv --data "$DATA" --format tsv
echo "== allowlist: apply allowlist/allowlist-valid.tsv for example-u"
"$BULKRA" allowlist apply allowlist/allowlist-valid.tsv --institution example-u --data "$DATA" --format tsv
echo "== certificates issued earlier elsewhere: import existing/*.pem"
"$BULKRA" certificates import existing/example-u-server.pem --institution example-u --family server --profile 3 --data "$DATA"
"$BULKRA" certificates import existing/example-u-server-revoked.pem --institution example-u --family server --profile 3 --revoked-reason 4 --data "$DATA"
"$BULKRA" certificates import existing/example-u-client.pem --institution example-u --family client --data "$DATA"
"$BULKRA" certificates import existing/sample-tech-server.pem --institution sample-tech --family server --profile 3 --data "$DATA"
echo
echo "== the registry now holds"
"$BULKRA" institutions list --data "$DATA"

echo
echo "== dry runs (bulkra check) of every case in cases.tsv; each compared with its expected result"
failures=0
while IFS=$'\t' read -r file kind operation institution officer limit expected; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  args=(--data "$DATA" --format tsv --record-limit "$limit")
  case "$kind" in
    institution) cmd=(institutions apply "$file" "${args[@]}"); continue ;;
    allowlist) continue ;;
    *) cmd=(check "$file" "${args[@]}" --institution "$institution" --family "$kind" --operation "$operation")
       [[ "$officer" != "-" ]] && cmd+=(--officer "$officer") ;;
  esac
  echo
  echo "-- bulkra ${cmd[*]}"
  "$BULKRA" "${cmd[@]}" | cut -f1-3
  status=${PIPESTATUS[0]}
  want=$(grep '^status' "$expected" | cut -d' ' -f2)
  if [[ ( "$want" == accepted && $status != 0 ) || ( "$want" != accepted && $status != 1 ) ]]; then
    echo "!! exit status $status does not match expected status $want"; failures=$((failures + 1))
  fi
done < cases.tsv

echo
echo "== institution and allow-list files with faults are checked the same way (nothing applied under --on-error abort):"
"$BULKRA" institutions apply institutions/institutions-invalid.tsv --data "$DATA" --format tsv | cut -f1-3
"$BULKRA" allowlist apply allowlist/allowlist-invalid.tsv --institution example-u --data "$DATA" --format tsv | cut -f1-3
echo
echo "== issuance (bulkra submit): server and code-signing certificates signed by the TEST CA in $DATA/ca"
OUT="$DATA/out"
"$BULKRA" submit server/issue-valid.tsv --data "$DATA" --institution example-u --family server --operation issue --out "$OUT/server-issue" --format tsv
"$BULKRA" submit codesign/issue-valid.tsv --data "$DATA" --institution example-u --family codesign --operation issue --out "$OUT/codesign-issue" --format tsv
echo "-- renewals of the imported www and old (revoked) certificates; renewal is allowed whatever the old state"
"$BULKRA" submit server/renew-valid.tsv --data "$DATA" --institution example-u --family server --operation renew --on-error skip --out "$OUT/server-renew" --format tsv
echo "-- the ready-made revocation file for the replaced certificates, submitted"
"$BULKRA" submit "$OUT/server-renew/revoke-replaced.tsv" --data "$DATA" --institution example-u --family server --operation revoke --format tsv
echo "-- the same renewal file again: the first result, nothing issued twice"
"$BULKRA" submit server/renew-valid.tsv --data "$DATA" --institution example-u --family server --operation renew --on-error skip --format tsv | head -2
echo
echo "== client certificates: the service makes the keys (RSA-2048) and PKCS#12 files under access PINs"
"$BULKRA" submit client/issue-valid.tsv --data "$DATA" --institution example-u --family client --operation issue --out "$OUT/client-issue" --format tsv
echo "-- line 3 asked for download method 3 (the user's own key): the user enrols a CSR with the one-time token"
TOKEN=$(iconv -f CP932 -t UTF-8 "$OUT"/client-issue/enrolments/*.txt | sed -n 2p | cut -f4)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/client-issue/user-own.key" -subj "/CN=ignored" \
  -out "$OUT/client-issue/user-own.csr" 2>/dev/null
"$BULKRA" enroll --data "$DATA" --token "$TOKEN" --csr "$OUT/client-issue/user-own.csr" -o "$OUT/client-issue/user-own.pem"
echo "-- revocation of the imported client certificate"
"$BULKRA" submit client/revoke-valid.tsv --data "$DATA" --institution example-u --family client --operation revoke --on-error skip --format tsv
echo
echo "== downloads: certificate information (46 columns, CP932), user-administrators, statistics, allow-list"
DL="$DATA/downloads"
"$BULKRA" download certificates --data "$DATA" --institution example-u -o "$DL/certificates-all.tsv"
"$BULKRA" download certificates --data "$DATA" --institution example-u --family server -o "$DL/certificates-server.tsv"
"$BULKRA" download administrators --data "$DATA" --institution example-u -o "$DL/administrators.tsv"
"$BULKRA" download statistics --data "$DATA" --institution example-u -o "$DL/statistics.tsv"
"$BULKRA" download statistics --data "$DATA" --institution example-u --format svg -o "$DL/statistics.svg"
"$BULKRA" download allowlist --data "$DATA" --institution example-u -o "$DL/allowlist.tsv"
iconv -f CP932 -t UTF-8 "$DL/statistics.tsv"
echo "-- the nightly export of every institution, with its signed manifest"
"$BULKRA" nightly --data "$DATA" --out "$DATA/nightly"
NIGHT=$(ls -d "$DATA"/nightly/????-??-?? | tail -1)
openssl cms -verify -binary -inform DER -in "$NIGHT/manifest.tsv.p7s" -content "$NIGHT/manifest.tsv" -CAfile "$DATA/ca/root.pem" \
  -purpose any -out /dev/null
echo
echo "Certificates (leaf + chain): $OUT/*/certificates/; results: $OUT/*/result.{json,tsv}"
echo "Client deliveries: PKCS#12 $OUT/client-issue/pkcs12/, PIN ZIPs $OUT/client-issue/pins/, bulk ZIPs $OUT/client-issue/bulk/,"
echo "  enrolment tokens $OUT/client-issue/enrolments/"
echo "RA certificates of the officers (PKCS#12 + PIN file): $DATA/ra/"
echo "Notification mails (RFC 5322): $DATA/outbox/ ($("$BULKRA" mail list --data "$DATA" | tail -1));"
echo "  add an \"smtp\" section to $DATA/mail.json and 'bulkra mail send --data $DATA' relays them"
echo "Downloads: $DL/; nightly export: $NIGHT/ (manifest.tsv + manifest.tsv.p7s)"
echo "CRLs: $DATA/crl/ (regenerated after each revocation batch); CA (TEST): $DATA/ca/"
echo "Registry: $DATA/registry.sqlite. Every check case above also runs as a golden test in 'make test'."
[[ $failures == 0 ]] || { echo "$failures case(s) ended with an unexpected status"; exit 1; }
