#!/bin/sh
# SIPp REGISTER with digest authentication -> natsim's registrar (interop_sip proxy with the user
# alice/secret, domain 127.0.0.1), over UDP on 127.0.0.x. tests/interop/sipp/register_auth.xml:
# REGISTER, 401 (realm 127.0.0.1, qop="auth", algorithm=MD5: checked by SIPp), REGISTER with
# SIPp's own MD5 answer ([authentication], -au/-ap). First with a wrong password: natsim must
# refuse it again (401) and bind nothing; then with the right one: 200 listing the binding
# with its expires.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_start registrar proxy "127.0.0.1:$base" 127.0.0.1 alice secret 60
reg_pid=$last_pid
for pw in wrong secret; do
  run_sipp "reg-$pw" -sf "$sipp_dir/register_auth.xml" -s alice -au alice -ap "$pw" -m 1 \
    -i 127.0.0.3 -p $((base + 1)) -trace_logs -log_file "reg-$pw.log" "127.0.0.1:$base"
  eval "rc_$pw=\$sipp_rc"
  echo "--- password $pw:"; cat "$work/reg-$pw.log"
done
interop_stop "$reg_pid"
cat "$work/registrar.out"
r=$work/registrar.out
expect "sipp ran both scenarios to the end" [ "$rc_wrong$rc_secret" = 00 ]
expect "401 challenge: realm, qop=auth, MD5 (SIPp's checks)" \
  [ "$(grep -c '^challenged .*realm="127.0.0.1" qop="auth" algorithm=MD5$' "$work/reg-wrong.log" "$work/reg-secret.log" | grep -c ':1$')" -eq 2 ]
expect "wrong password: refused again with 401" has "$work/reg-wrong.log" '^refused 401$'
expect "right password: 200 with the binding and its expires" \
  has "$work/reg-secret.log" '^registered +<sip:alice@127\.0\.0\.3:[0-9]+>;expires=60$'
expect "natsim: 4 REGISTERs, 3 challenged, 1 binding" \
  has "$r" '^proxy rx 4 bad 0 rejected 0 registers 4 challenges 3 .* bindings 1$'
expect "natsim: 401, 401, 401, 200 in that order" \
  [ "$(grep '^tx ' "$r" | awk '{print $3}' | tr '\n' ' ')" = "401 401 401 200 " ]
interop_done
