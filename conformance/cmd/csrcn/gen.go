package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	mrand "math/rand/v2"
	"strings"
)

// DER building blocks.

func tlv(tag byte, content []byte) []byte {
	n := len(content)
	var out []byte
	out = append(out, tag)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}

func seq(parts ...[]byte) []byte { return tlv(0x30, bytes.Join(parts, nil)) }
func set(parts ...[]byte) []byte { return tlv(0x31, bytes.Join(parts, nil)) }

func oid(arcs ...int) []byte {
	var body []byte
	body = append(body, base128(arcs[0]*40+arcs[1])...)
	for _, a := range arcs[2:] {
		body = append(body, base128(a)...)
	}
	return tlv(0x06, body)
}

func base128(v int) []byte {
	out := []byte{byte(v & 0x7f)}
	for v >>= 7; v > 0; v >>= 7 {
		out = append([]byte{byte(v&0x7f) | 0x80}, out...)
	}
	return out
}

var (
	oidCN        = oid(2, 5, 4, 3)
	oidO         = oid(2, 5, 4, 10)
	oidC         = oid(2, 5, 4, 6)
	oidExtReq    = oid(1, 2, 840, 113549, 1, 9, 14)
	oidChallPw   = oid(1, 2, 840, 113549, 1, 9, 7)
	oidSAN       = oid(2, 5, 29, 17)
	oidKU        = oid(2, 5, 29, 15)
	oidSHA256RSA = oid(1, 2, 840, 113549, 1, 1, 11)
	oidRSA       = oid(1, 2, 840, 113549, 1, 1, 1)
	oidECDSA     = oid(1, 2, 840, 10045, 2, 1)
	oidEd25519   = oid(1, 3, 101, 112)
	oidDSA       = oid(1, 2, 840, 10040, 4, 1)
	oidX25519    = oid(1, 3, 101, 110)
	null         = []byte{0x05, 0x00}
)

type keyPool struct {
	spki [][]byte // SubjectPublicKeyInfo DER of real keys
}

func newKeyPool() *keyPool {
	p := &keyPool{}
	add := func(pub any) {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			panic(err)
		}
		p.spki = append(p.spki, der)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	add(&rk.PublicKey)
	for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		add(&k.PublicKey)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	add(pub)
	return p
}

type gen struct {
	r    *mrand.Rand
	keys *keyPool
}

func (g *gen) chance(n int) bool { return g.r.IntN(100) < n }

func (g *gen) pickBytes(xs ...[]byte) []byte { return xs[g.r.IntN(len(xs))] }

var cnValues = []string{"system:node:n1", "system:node:n2", "", "node", "Ünïcode", "a*b&c", "with space", "x@y", "line\nbreak"}

// stringValue encodes s with a random (possibly wrong) string type.
func (g *gen) stringValue(s string) []byte {
	switch g.r.IntN(12) {
	case 0, 1, 2:
		return tlv(0x0c, []byte(s)) // UTF8String
	case 3, 4:
		return tlv(0x13, []byte(s)) // PrintableString
	case 5:
		return tlv(0x16, []byte(s)) // IA5String
	case 6:
		return tlv(0x14, []byte(s)) // T61String
	case 7:
		var b []byte
		for _, r := range s {
			if r > 0xffff {
				r = '?'
			}
			b = append(b, byte(r>>8), byte(r))
		}
		if g.chance(20) {
			b = append(b, 0, 0)
		}
		if g.chance(10) {
			b = append(b, 0x41)
		}
		return tlv(0x1e, b) // BMPString
	case 8:
		return tlv(0x12, []byte(s)) // NumericString
	case 9:
		return tlv(0x1b, []byte(s)) // GeneralString
	case 10:
		return g.pickBytes(tlv(0x02, []byte{0x05}), tlv(0x04, []byte("oct")), tlv(0x01, []byte{0xff}),
			tlv(0x17, []byte("250101000000Z")), tlv(0x18, []byte("20250101000000Z")), seq(),
			tlv(0x80, []byte("ctx")), tlv(0x0c, []byte{0xff, 0xfe}), tlv(0x02, []byte{0x00, 0x01}),
			tlv(0x06, []byte{0x2a, 0x03}), tlv(0x03, []byte{0x00, 0xff}), tlv(0x05, nil),
			tlv(0x17, []byte(g.pickString(utcTimes...))), tlv(0x18, []byte(g.pickString(genTimes...))))
	default:
		return tlv(0x0c, []byte(s+"\x80"[:g.r.IntN(2)]))
	}
}

func (g *gen) subject() []byte {
	if g.chance(4) {
		return g.pickBytes(set(), tlv(0x02, []byte{1}), tlv(0x30, []byte{0x31}), seq(set()), tlv(0xa0, nil))
	}
	var rdns [][]byte
	n := g.r.IntN(4)
	for i := 0; i < n; i++ {
		var atvs [][]byte
		m := 1 + g.r.IntN(2)
		if g.chance(5) {
			m = 0
		}
		for j := 0; j < m; j++ {
			typ := g.pickBytes(oidCN, oidCN, oidCN, oidO, oidC, oid(2, 5, 4, 3, 1))
			val := g.stringValue(cnValues[g.r.IntN(len(cnValues))])
			if g.chance(3) {
				atvs = append(atvs, seq(typ))
				continue
			}
			atvs = append(atvs, seq(typ, val))
		}
		if g.chance(3) {
			rdns = append(rdns, seq(bytes.Join(atvs, nil)))
			continue
		}
		rdns = append(rdns, set(atvs...))
	}
	return seq(rdns...)
}

func (g *gen) spki() []byte {
	good := g.keys.spki[g.r.IntN(len(g.keys.spki))]
	if g.chance(70) {
		return good
	}
	bitString := func(b []byte) []byte { return tlv(0x03, append([]byte{0}, b...)) }
	rsaKey := func(n, e []byte) []byte { return bitString(seq(tlv(0x02, n), tlv(0x02, e))) }
	ecPoint := func(l int, tweak int) []byte {
		p := make([]byte, 1+2*l)
		p[0] = 4
		for i := 1; i < len(p); i++ {
			p[i] = byte(g.r.IntN(256))
		}
		switch tweak {
		case 1:
			for i := 1; i <= l; i++ {
				p[i] = 0xff
			}
		case 2:
			p[0] = 2
		case 3:
			p = p[:len(p)-1]
		}
		return p
	}
	switch g.r.IntN(22) {
	case 0:
		return seq(seq(oidRSA), rsaKey([]byte{0x00, 0xc1}, []byte{0x01, 0x00, 0x01}))
	case 1:
		return seq(seq(oidRSA, null), bitString([]byte{0x02, 0x01}))
	case 2:
		return seq(seq(oidRSA, null), rsaKey([]byte{0xff}, []byte{0x03}))
	case 3:
		return seq(seq(oidRSA, null), rsaKey([]byte{0x00, 0x05}, []byte{0x03}))
	case 4:
		return seq(seq(oidRSA, null), rsaKey([]byte{0x05}, []byte{0x00}))
	case 5:
		return seq(seq(oidRSA, null), rsaKey([]byte{0x05}, bytes.Repeat([]byte{0x7f}, 9)))
	case 6:
		return seq(seq(oidRSA, null), bitString(seq(tlv(0x02, []byte{0x05}))))
	case 7:
		return seq(seq(oidECDSA, oid(1, 2, 840, 10045, 3, 1, 7)), bitString(ecPoint(32, g.r.IntN(4))))
	case 8:
		return seq(seq(oidECDSA, oid(1, 3, 132, 0, 33)), bitString(ecPoint(28, g.r.IntN(4))))
	case 9:
		return seq(seq(oidECDSA, oid(1, 3, 132, 0, 34)), bitString(ecPoint(48, g.r.IntN(4))))
	case 10:
		return seq(seq(oidECDSA, oid(1, 3, 132, 0, 35)), bitString(ecPoint(66, g.r.IntN(4))))
	case 11:
		return seq(seq(oidECDSA, oid(1, 3, 132, 0, 10)), bitString(ecPoint(32, 0)))
	case 12:
		return seq(seq(oidECDSA), bitString(ecPoint(32, 0)))
	case 13:
		return seq(seq(oidEd25519, null), bitString(make([]byte, 32)))
	case 14:
		return seq(seq(oidEd25519), bitString(make([]byte, 31)))
	case 15:
		return seq(seq(oidDSA, seq(tlv(0x02, []byte{1}), tlv(0x02, []byte{2}), tlv(0x02, []byte{3}))), bitString(tlv(0x02, []byte{7})))
	case 16:
		return seq(seq(oidDSA, seq(tlv(0x02, []byte{1}), tlv(0x02, []byte{0}), tlv(0x02, []byte{3}))), bitString(tlv(0x02, []byte{7})))
	case 17:
		return seq(seq(oidDSA), bitString(tlv(0x02, []byte{7})))
	case 18:
		return seq(seq(oidX25519), bitString(make([]byte, 5)))
	case 19:
		return seq(seq(oid(1, 2, 3, 4)), bitString([]byte{1, 2, 3}))
	case 20:
		// Flip a byte of a real key.
		b := append([]byte(nil), good...)
		b[len(b)-1-g.r.IntN(8)] ^= byte(1 + g.r.IntN(255))
		return b
	default:
		return seq(seq(oidEd25519), tlv(0x03, []byte{0x03, 0xff}))
	}
}

func (g *gen) san() []byte {
	var names [][]byte
	for i := 0; i < 1+g.r.IntN(3); i++ {
		switch g.r.IntN(9) {
		case 0:
			names = append(names, tlv(0x82, []byte("example.com")))
		case 1:
			names = append(names, tlv(0x82, []byte("bad\xffname")))
		case 2:
			names = append(names, tlv(0x81, []byte("a@b.c")))
		case 3:
			names = append(names, tlv(0x87, []byte{10, 0, 0, 1}))
		case 4:
			names = append(names, tlv(0x87, []byte{10, 0, 1}))
		case 5:
			names = append(names, tlv(0x86, []byte(g.pickURI())))
		case 6:
			names = append(names, tlv(0xa0, seq(oid(1, 2, 3), tlv(0xa0, tlv(0x0c, []byte("x"))))))
		case 7:
			names = append(names, tlv(0x81, []byte("\x80@b")))
		default:
			names = append(names, []byte{0x82, 0x05, 'a'})
		}
	}
	if g.chance(5) {
		return set(names...)
	}
	return seq(names...)
}

var utcTimes = []string{"2501010000Z", "250101000000Z", "251301000000Z", "250101000000+0100", "250230000000Z",
	"25010100000Z", "250101000060Z", "500101000000Z", "490101000000Z", "2501010000+2400", "x50101000000Z", "250101240000Z"}

var genTimes = []string{"20250101000000Z", "20250101000000.5Z", "20250101000000.50Z", "20250101000000+0130",
	"2025010100000Z", "20251301000000Z", "20250101000000.Z", "20250101000000,5Z", "20250101000000"}

var uris = []string{
	"spiffe://cluster.local/ns/a", "https://example.com/x", "http://[::1]:80/", "urn:x:y", "//host/p",
	"http://bad_host!/", "http://a b/", "http://h:port/", "%zz", "http://%41/", "http://ex ample.com",
	"mailto:a@b", "http://-bad.com/", "http://127.0.0.1/", "http://[fe80::1%25en0]/", ":nope",
	"http://user@host/", "http://u ser@host/", "a:b/c", "http://host.:8080", "http://[::1/",
	"http://[1.2.3.4]/", "http://a[b]/", "http://[::1]x/", "http://[fe80::1%25%zz]/", "http://[fe80::1%25]/", "x://a:b:c/",
	"http://a:b:c/", "http://h/%zz", "http://h/#%zz", "http://u%zz@h/", "http://%25/", "http://h%2e/", "http://h./",
	"HTTP://H/", "http://..x/", "?q", "http://h?x#y", "http://h:/", "http://[::ffff:1.2.3.4]/", "http://[zz]/",
	"http://[%c3]/", "http://%c3%a9/", "http://[fe80::1%25%c3]/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[1::2::3]/",
	"http://[::1.2.3]/", "http://[12345::]/", "http://[1:2:3:4:5:6:7:1.2.3.4]/", "http://[:1]/", "http://[1:]/",
	"http://[%]/", "http://[1.2.3.04]/", "http://[::1.2.3.256]/", "http://[fe80::1%25en0]:x/",
}

func (g *gen) pickURI() string { return uris[g.r.IntN(len(uris))] }

// uriCorpus is every listed URI plus URIs assembled from risky pieces.
func (g *gen) uriCorpus() []string {
	out := append([]string(nil), uris...)
	schemes := []string{"http://", "https://", "spiffe://", "x:", "", "//", "HTTP://", "1x://", "a+b://", "http:", "///"}
	users := []string{"", "u@", "u:p@", "u%41@", "u%zz@", "a b@", "@", "u@v@"}
	hosts := []string{"h", "h.example", "", "[::1]", "[::1%25eth0]", "[1.2.3.4]", "h:80", "h:8x", "h:", "a:b:c", "%41",
		"%c3%a9", "h%2e", "[::1]:", "[::1]:8", "[v1.x]", "h.", ".h", "h..i", "x_y", "x y", "x~y", "x\"y", "x<y", "x{y"}
	paths := []string{"", "/", "/p", "/%zz", "/a%2", "/%41", "/a:b", "?q", "?q#f", "#f", "#%zz", "/p?%zz", "?", "/?#"}
	for i := 0; i < 300; i++ {
		out = append(out, schemes[g.r.IntN(len(schemes))]+users[g.r.IntN(len(users))]+hosts[g.r.IntN(len(hosts))]+paths[g.r.IntN(len(paths))])
	}
	return out
}

func (g *gen) extension(id []byte, value []byte) []byte {
	if g.chance(10) {
		return seq(id, tlv(0x01, []byte{0xff}), tlv(0x04, value))
	}
	return seq(id, tlv(0x04, value))
}

func (g *gen) attributes() []byte {
	if g.chance(3) {
		return nil // no attributes field at all
	}
	if g.chance(3) {
		return tlv(0x31, nil)
	}
	var attrs [][]byte
	for i := 0; i < g.r.IntN(3); i++ {
		switch g.r.IntN(10) {
		case 0:
			attrs = append(attrs, seq(oidChallPw, set(tlv(0x13, []byte("secret")))))
		case 1:
			attrs = append(attrs, seq(oidExtReq, set()))
		case 2:
			attrs = append(attrs, seq(oidExtReq, set(seq(g.extension(oidKU, []byte{3, 2, 5, 0xa0}), g.extension(oidKU, []byte{3, 1, 0})))))
		case 3:
			attrs = append(attrs, seq(oidExtReq, set(g.pickBytes(set(), tlv(0x02, []byte{1}), seq(seq(oidSAN)), seq(tlv(0x30, []byte{0x06, 0x01}))))))
		case 4:
			attrs = append(attrs, tlv(0x02, []byte{1}))
		default:
			exts := [][]byte{g.extension(oidSAN, g.san())}
			if g.chance(30) {
				exts = append(exts, g.extension(oidKU, []byte{3, 2, 5, 0xa0}))
			}
			attrs = append(attrs, seq(oidExtReq, set(seq(exts...))))
		}
	}
	return tlv(0xa0, bytes.Join(attrs, nil))
}

func (g *gen) version() []byte {
	if g.chance(90) {
		return tlv(0x02, []byte{0})
	}
	return g.pickBytes(tlv(0x02, []byte{1}), tlv(0x02, nil), tlv(0x02, []byte{0, 0}), tlv(0x02, bytes.Repeat([]byte{1}, 9)),
		tlv(0x04, []byte{0}), tlv(0x02, []byte{0xff}))
}

func (g *gen) csrDER() []byte {
	tbsParts := [][]byte{g.version(), g.subject(), g.spki()}
	if a := g.attributes(); a != nil {
		tbsParts = append(tbsParts, a)
	}
	if g.chance(3) {
		tbsParts = append(tbsParts, tlv(0x02, []byte{9}))
	}
	if g.chance(2) {
		tbsParts = tbsParts[:2]
	}
	tbs := seq(tbsParts...)
	sigAlg := g.pickBytes(seq(oidSHA256RSA, null), seq(oidSHA256RSA), seq(oid(1, 2, 840, 10045, 4, 3, 2)))
	sig := tlv(0x03, append([]byte{0}, bytes.Repeat([]byte{0x5a}, 8)...))
	outer := [][]byte{tbs, sigAlg, sig}
	switch {
	case g.chance(3):
		outer = outer[:2]
	case g.chance(3):
		outer = append(outer, tlv(0x05, nil))
	case g.chance(3):
		outer[2] = tlv(0x03, []byte{0x08, 0x00})
	case g.chance(2):
		outer[1] = tlv(0x30, []byte{0x05, 0x00})
	}
	der := seq(outer...)
	return g.mutateDER(der)
}

func (g *gen) mutateDER(der []byte) []byte {
	if g.chance(65) {
		return der
	}
	b := append([]byte(nil), der...)
	switch g.r.IntN(11) {
	case 0:
		return b[:g.r.IntN(len(b))]
	case 1:
		return append(b, g.pickBytes([]byte{0}, []byte{0x30, 0x00}, []byte("junk"))...)
	case 2:
		i := g.r.IntN(len(b))
		b[i] ^= byte(1 << g.r.IntN(8))
		return b
	case 3:
		i := g.r.IntN(len(b))
		b[i] = byte(g.r.IntN(256))
		return b
	case 4:
		// indefinite length on the outer SEQUENCE
		return append([]byte{0x30, 0x80}, b[2:]...)
	case 5:
		// non-minimal long-form length on the outer SEQUENCE
		if b[1]&0x80 == 0 {
			return append([]byte{0x30, 0x81, b[1]}, b[2:]...)
		}
		return append([]byte{0x30, 0x84, 0, 0}, b[2:]...)
	case 6:
		return append([]byte{0x31}, b[1:]...)
	case 7:
		return append([]byte{0x1f, 0x10}, b[1:]...)
	case 8:
		i := g.r.IntN(len(b))
		return append(b[:i:i], b[i+1:]...)
	case 9:
		return []byte{}
	default:
		return append([]byte{0x30, 0x82, 0x00, 0x05}, b[2:]...)
	}
}

func (g *gen) toPEM(der []byte) []byte {
	typ := "CERTIFICATE REQUEST"
	if g.chance(4) {
		typ = g.pickString("CERTIFICATE", "NEW CERTIFICATE REQUEST", "certificate request", "CERTIFICATE REQUEST ")
	}
	block := &pem.Block{Type: typ, Bytes: der}
	if g.chance(4) {
		block.Headers = map[string]string{"Proc-Type": "4,ENCRYPTED"}
	}
	out := pem.EncodeToMemory(block)
	if g.chance(75) {
		return out
	}
	s := string(out)
	switch g.r.IntN(14) {
	case 0:
		s = "leading junk\n" + s
	case 1:
		s = strings.ReplaceAll(s, "\n", "\r\n")
	case 2:
		s = strings.TrimSuffix(s, "\n")
	case 3:
		s = strings.Replace(s, "-----END", "-----FIN", 1)
	case 4:
		second := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}))
		if g.chance(50) {
			s = second + s
		} else {
			s = s + second
		}
	case 5:
		lines := strings.Split(s, "\n")
		if len(lines) > 2 {
			lines[1] = " " + lines[1][:len(lines[1])/2] + "\t " + lines[1][len(lines[1])/2:]
		}
		s = strings.Join(lines, "\n")
	case 6:
		s = strings.Replace(s, "=", "", -1)
	case 7:
		s = strings.Replace(s, "-----\n", "----- \t\n", 1)
	case 8:
		s = strings.Replace(s, "-----BEGIN", "x-----BEGIN", 1)
	case 9:
		s = ""
	case 10:
		lines := strings.Split(s, "\n")
		if len(lines) > 2 {
			lines[1] = lines[1] + "!"
		}
		s = strings.Join(lines, "\n")
	case 11:
		s = strings.Replace(s, "\n-----END CERTIFICATE REQUEST-----", "\n-----END CERTIFICATE REQUEST-----trailing", 1)
	case 12:
		s = strings.Replace(s, "-----BEGIN CERTIFICATE REQUEST-----\n", "-----BEGIN CERTIFICATE REQUEST-----\nX-Hdr: v\n\n", 1)
	default:
		s = "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"
	}
	return []byte(s)
}

func (g *gen) pickString(xs ...string) string { return xs[g.r.IntN(len(xs))] }

// pemEdges are hand-picked encoding/pem corner cases around one valid request.
func pemEdges(der []byte) []string {
	const t = "CERTIFICATE REQUEST"
	full := string(pem.EncodeToMemory(&pem.Block{Type: t, Bytes: der}))
	body := strings.SplitN(full, "\n", 2)[1]
	body = body[:strings.LastIndex(body, "-----END")]
	b, e := "-----BEGIN "+t+"-----", "-----END "+t+"-----"
	return []string{
		b + "\n" + e, b + "\n" + e + "   \n", b + "\nA: b\n" + e + "\n", b + "\nA: b\n\n" + body + e + "\n",
		b + "\nA: b\n" + body + e + "\n", b + "\n" + b + "\n" + body + e + "\n", b + "-----END " + t + "-----\n",
		b + "\r\n" + body + e + "\r\n", "\r" + b + "\n" + body + e + "\n", b + "  \n" + body + e + "\n",
		b + "\n" + body + e + " x\n", b + "\n" + body + e + "\nrest",
		b + "\n" + body + "-----END CERTIFICATE-----\n" + b + "\n" + body + e + "\n", b + "\n" + body + "\n" + e + "\n",
		b + "\n" + strings.ReplaceAll(body, "\n", " ") + "\n" + e + "\n", b + "\nA:b:c\nno colon\n" + body + e + "\n",
		b + "\n:\n" + body + e + "\n", "-----BEGIN -----\n" + body + "-----END -----\n", b + "\n" + body + "-----END " + t,
		b + "\n" + body + e + "\r", b + "\n" + body + e + "\t \r\n", b + "\n" + body[:len(body)-2] + "\n" + e + "\n",
		b + "\n====\n" + e + "\n", b + "\nQQ==\nQQ==\n" + e + "\n", b + "\nMA==\n" + e + "\n", b + "\nMAA=\n" + e + "\n",
		b + "\nMAB=\n" + e + "\n", "x\n" + e + "\n" + b + "\n" + body + e + "\n", "", "\n", b,
	}
}

func generate(seed uint64, count int, w io.Writer) error {
	g := &gen{r: mrand.New(mrand.NewPCG(seed, 0xc5a)), keys: newKeyPool()}
	enc := json.NewEncoder(w)
	for _, u := range g.uriCorpus() {
		der := seq(seq(tlv(0x02, []byte{0}), seq(set(seq(oidCN, tlv(0x0c, []byte("system:node:n1"))))), g.keys.spki[0],
			tlv(0xa0, seq(oidExtReq, set(seq(seq(oidSAN, tlv(0x04, seq(tlv(0x86, []byte(u)))))))))),
			seq(oidSHA256RSA, null), tlv(0x03, []byte{0, 1}))
		if err := enc.Encode(request{PemHex: hex.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))}); err != nil {
			return err
		}
	}
	for _, p := range pemEdges(g.realCSR()) {
		if err := enc.Encode(request{PemHex: hex.EncodeToString([]byte(p))}); err != nil {
			return err
		}
	}
	for i := 0; i < count; i++ {
		var der []byte
		if g.chance(15) {
			der = g.realCSR()
		} else {
			der = g.csrDER()
		}
		if err := enc.Encode(request{PemHex: hex.EncodeToString(g.toPEM(der))}); err != nil {
			return err
		}
	}
	return nil
}

// realCSR is a CSR made and signed by crypto/x509.
func (g *gen) realCSR() []byte {
	var key any
	switch g.r.IntN(3) {
	case 0:
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		key = k
	case 1:
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		key = k
	default:
		k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		key = k
	}
	tmpl := &x509.CertificateRequest{}
	tmpl.Subject.CommonName = cnValues[g.r.IntN(len(cnValues))]
	tmpl.Subject.Organization = []string{"system:nodes"}
	if g.chance(50) {
		tmpl.DNSNames = []string{"node.example"}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		panic(err)
	}
	return der
}
