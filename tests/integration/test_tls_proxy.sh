#!/bin/sh
# TLS through the documented reverse proxy: docs/nginx-tiendo.conf, with
# its addresses and paths replaced, in front of the real daemon, with a
# self-signed certificate made here.  The page, a login (its cookie now
# Secure), the API and the live stream (unbuffered) all go through.
. tests/integration/lib.sh

printf '[tiendod]\n' >"$T/tiendod.conf"
start_daemon -c "$T/tiendod.conf" || exit 1
echo 'mat-khau-huyen' | TIENDO_ACCOUNTS="$T/accounts" "$B/tiendo-ctl" user add huyen
ok "a self-signed certificate" openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	-subj /CN=127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem"
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
UP=${HTTP#http://}
mkdir -p "$T/nginx/logs"
{
	echo "pid $T/nginx/nginx.pid; error_log $T/nginx/logs/error.log; daemon off;"
	echo "events { worker_connections 64; }"
	echo "http { access_log off; client_body_temp_path $T/nginx; proxy_temp_path $T/nginx;"
	echo " fastcgi_temp_path $T/nginx; uwsgi_temp_path $T/nginx; scgi_temp_path $T/nginx;"
	sed -e "s|listen 443 ssl;.*|listen 127.0.0.1:$PORT ssl;|" \
	    -e "s|ssl_certificate .*|ssl_certificate $T/cert.pem;|" \
	    -e "s|ssl_certificate_key .*|ssl_certificate_key $T/key.pem;|" \
	    -e "s|proxy_pass http://127.0.0.1:7480;.*|proxy_pass http://$UP;|" docs/nginx-tiendo.conf
	echo "}"
} >"$T/nginx/nginx.conf"
/usr/sbin/nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx/stderr" &
PIDS="$PIDS $!"
S="https://127.0.0.1:$PORT"
ok "nginx serves TLS" wait_for 10 curl -skf -o /dev/null "$S/healthz"
expect_eq "through the proxy: the page" "$(curl -sk -o /dev/null -w '%{http_code}' "$S/")" 200
expect_eq "through the proxy: the API wants a login" "$(curl -sk -o /dev/null -w '%{http_code}' "$S/v1/tallies")" 401
expect_match "through the proxy: the session cookie is Secure" \
	"$(curl -sk -D - -o /dev/null -H "Origin: $S" --data-urlencode name=huyen \
	--data-urlencode password=mat-khau-huyen "$S/login" | tr -d '\r' | grep -i '^set-cookie')" \
	'HttpOnly; SameSite=Strict; Secure$'
expect_match "straight to tiendod (plain HTTP): the cookie is not Secure" \
	"$(curl -s -D - -o /dev/null -H "Origin: $HTTP" --data-urlencode name=huyen \
	--data-urlencode password=mat-khau-huyen "$HTTP/login" | tr -d '\r' | grep -i '^set-cookie')" \
	'SameSite=Strict$'
TOK=$(TIENDO_ACCOUNTS="$T/accounts" "$B/tiendo-ctl" user token huyen)
expect_eq "through the proxy: a token reads the tallies" \
	"$(curl -skf -H "Authorization: Bearer $TOK" "$S/v1/tallies" | jq '.tallies | length')" \
	"$(curl -sf -H "Authorization: Bearer $TOK" "$HTTP/v1/tallies" | jq '.tallies | length')"
curl -skN --max-time 8 -H "Authorization: Bearer $TOK" "$S/v1/stream" >"$T/stream" &
PIDS="$PIDS $!"
ok "through the proxy: the stream says hello at once" wait_for 3 grep -q 'event: hello' "$T/stream"
"$B/tiendo-push" -q --client xa-a --unit xa-a --task cay --add 5
ok "through the proxy: a report arrives on the stream within 2 s, unbuffered" \
	wait_for 2 grep -q '"unit":"xa-a"' "$T/stream"

# The proxy relays the network: requests through it are not the machine's
# own users, whatever its loopback address says.
expect_eq "through the proxy: POST /v1/reload is refused, even to scope *" \
	"$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" "$S/v1/reload")" 403
expect_eq "through the proxy: POST /v1/silences is refused, even to scope *" \
	"$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
	"$S/v1/silences?unit=huyen&until=$(day '2 days')&reason=x&by=x")" 403
expect_eq "straight from this machine: POST /v1/silences with the token is made" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
	"$HTTP/v1/silences?unit=xa-a&until=$(day '2 days')&reason=x&by=x")" 201
# Logins are limited per client address, the one nginx appends to
# X-Forwarded-For (not the proxy's own 127.0.0.1, nor what the client wrote).
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(curl -sk -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
		-H "Origin: $S" -H "X-Forwarded-For: 10.0.0.$i" \
		--data-urlencode name=huyen --data-urlencode password=wrong-$i "$S/login")"
done
expect_match "through the proxy: 6 wrong logins from one client, whatever X-Forwarded-For it sends: 429" "$codes" ' 401 .* 429$'
expect_eq "through the proxy: another client may still log in" \
	"$(curl -sk -o /dev/null -w '%{http_code}' --interface 127.0.0.3 -H "Origin: $S" \
	--data-urlencode name=huyen --data-urlencode password=mat-khau-huyen "$S/login")" 200
# No accounts (the file gone): open to this machine, closed through the proxy,
# the stream's own location included.
mv "$T/accounts" "$T/accounts.away"
expect_eq "no accounts: open straight from this machine" "$(get_status /v1/tallies)" 200
expect_eq "no accounts: through the proxy, 403" "$(curl -sk -o /dev/null -w '%{http_code}' "$S/v1/tallies")" 403
expect_eq "no accounts: the stream through the proxy, 403" \
	"$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$S/v1/stream")" 403
mv "$T/accounts.away" "$T/accounts"
finish
