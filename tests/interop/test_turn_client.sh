#!/bin/sh
# natsim's TURN client core -> coturn's TURN server, over UDP on 127.0.0.x.
# coturn: long-term credentials alice:secret in realm example.org, relay on 127.0.0.1, loopback
# peers allowed (coturn refuses 127/8 peers by default), nonces stale after 2 s so that the
# Refresh sent 2.5 s in is answered 438 first. natsim's client (interop_turn client):
#   401 -> authenticated Allocate; CreatePermission for a peer socket on 127.0.0.5; 50 Send
#   indications reaching the peer and its 50 answers arriving as Data indications; a peer on
#   127.0.0.6 without permission whose datagram must NOT come through; ChannelBind, 50
#   ChannelData round trips both ways; Refresh (438, then with the new nonce); Refresh LIFETIME 0
#   and then nothing relayed. Then an Allocate with a wrong password must fail with 401.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

start_coturn "$base" -L 127.0.0.1 --relay-ip 127.0.0.1 --min-port $((base + 10)) \
  --max-port $((base + 19)) --lt-cred-mech --user alice:secret --realm example.org \
  --allow-loopback-peers --stale-nonce=2
"$bin/interop_turn" client "127.0.0.1:$base" alice secret 127.0.0.5 127.0.0.6 50 2500 \
  >"$work/client.out" 2>&1
rc=$?
"$bin/interop_turn" badauth "127.0.0.1:$base" alice wrong >"$work/badauth.out" 2>&1
rc_bad=$?
cat "$work/client.out" "$work/badauth.out"
out=$work/client.out
expect "interop_turn client exited 0" [ $rc -eq 0 ]
expect "no check failed" sh -c "! grep -q FAIL '$out' '$work/badauth.out'"
expect "relayed address in coturn's range" has "$out" \
  "^allocated relayed 127\.0\.0\.1:($((base + 10))|$((base + 11))|$((base + 12))|$((base + 13))|$((base + 14))|$((base + 15))|$((base + 16))|$((base + 17))|$((base + 18))|$((base + 19))) "
expect "Send/Data: 50 round trips, none lost" has "$out" '^send/data round_trips 50 lost 0 '
expect "ChannelData: 50 round trips, none lost" has "$out" '^channeldata round_trips 50 lost 0 '
expect "unauthorised peer blocked twice" \
  [ "$(grep -c '^ok the unauthorised peer.s datagram did NOT come through' "$out")" -eq 2 ]
expect "one 401 and one 438 handled" has "$out" '^client requests [0-9]+ auth_retries 1 stale_nonces 1 '
expect "refreshed and closed" sh -c "grep -q '^event refreshed' '$out' && grep -q '^event closed' '$out'"
expect "wrong password refused (401)" [ $rc_bad -eq 0 ]
expect "coturn saw the 438" has "$work/turnserver.log" '438'
interop_done
