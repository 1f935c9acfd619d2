/// The desk's two static files (DESK-30): the stylesheet and the enrolment page's key generation.
/// Both are served from `/static/`, so the Content-Security-Policy can forbid every inline script and style.
enum DeskAssets {
    static let stylesheet = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --ok: #116329; --ng: #a40e26; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", system-ui, sans-serif; color: var(--ink); line-height: 1.6; }
        header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #f3f6f9; border-bottom: 1px solid var(--line); }
        header .brand { margin: 0; font-weight: 700; flex: 1 1 auto; }
        header a { color: var(--accent); }
        .officer { font-size: .9rem; color: var(--muted); }
        .inline { display: inline; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
        h1 { font-size: 1.5rem; border-left: .35rem solid var(--accent); padding-left: .6rem; }
        h2 { font-size: 1.15rem; margin-top: 1.6rem; }
        ul.menu { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: .5rem; }
        ul.menu a { display: block; padding: .7rem .9rem; border: 1px solid var(--line); border-radius: .4rem; text-decoration: none; color: var(--accent); }
        ul.menu a:hover, ul.menu a:focus { background: #eef5ff; }
        fieldset { border: 1px solid var(--line); border-radius: .4rem; margin: 0 0 1rem; }
        fieldset label { display: block; margin: .2rem 0; }
        button { font: inherit; padding: .45rem 1rem; border: 1px solid var(--line); border-radius: .35rem; background: #fff; cursor: pointer; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button:focus, a:focus, input:focus, textarea:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92rem; }
        caption { text-align: left; font-weight: 700; padding: .3rem 0; }
        th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
        thead th { background: #f3f6f9; }
        tr.ng td, tr.ng th { background: #fff5f5; }
        table.result td:nth-child(4), table.result td:nth-child(5), table.result th { white-space: nowrap; }
        tr.ng td:nth-child(2) { color: var(--ng); font-weight: 700; }
        tr.ok td:nth-child(2) { color: var(--ok); font-weight: 700; }
        .summary { padding: .7rem .9rem; border-radius: .4rem; font-weight: 700; }
        .summary.ok { background: #e6f4ea; color: var(--ok); }
        .summary.ng { background: #fde8ea; color: var(--ng); }
        .message { padding: .9rem; border: 1px solid var(--line); border-radius: .4rem; background: #fffbe6; }
        ul.errors { color: var(--ng); }
        code.url { font-size: 1.1rem; padding: .3rem .5rem; background: #f3f6f9; }
        figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
        textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .85rem; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .3rem; }
        footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; border-top: 1px solid var(--line); }
        """

    /// Makes an RSA-2048 key with WebCrypto and a PKCS#10 request signed by it; the key never leaves the page.
    static let enrolmentScript = """
        "use strict";
        (function () {
          const button = document.getElementById("generate");
          if (!button || !window.crypto || !window.crypto.subtle) { return; }
          button.hidden = false;
          function len(n) {
            if (n < 128) { return [n]; }
            const out = [];
            while (n > 0) { out.unshift(n & 255); n >>= 8; }
            return [128 | out.length].concat(out);
          }
          function tlv(tag, bytes) { return [tag].concat(len(bytes.length), bytes); }
          function seq() { return tlv(0x30, [].concat.apply([], arguments)); }
          const oidCN = [0x06, 0x03, 0x55, 0x04, 0x03];
          const sha256WithRSA = seq([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], [0x05, 0x00]);
          function utf8(text) { return Array.from(new TextEncoder().encode(text)); }
          function pem(label, bytes) {
            let binary = "";
            bytes.forEach(function (b) { binary += String.fromCharCode(b); });
            const lines = btoa(binary).match(/.{1,64}/g).join("\\n");
            return "-----BEGIN " + label + "-----\\n" + lines + "\\n-----END " + label + "-----\\n";
          }
          button.addEventListener("click", async function () {
            button.disabled = true;
            try {
              const keys = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048,
                publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
              const spki = Array.from(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));
              const name = seq(tlv(0x31, seq(oidCN, tlv(0x0c, utf8("enrolment")))));
              const info = seq([0x02, 0x01, 0x00], name, spki, [0xa0, 0x00]);
              const signature = Array.from(new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new Uint8Array(info))));
              const request = seq(info, sha256WithRSA, tlv(0x03, [0].concat(signature)));
              const pkcs8 = Array.from(new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)));
              document.getElementById("csr").value = pem("CERTIFICATE REQUEST", request);
              const key = document.getElementById("key");
              key.value = pem("PRIVATE KEY", pkcs8);
              key.hidden = false;
              document.getElementById("key-note").hidden = false;
            } finally {
              button.disabled = false;
            }
          });
        })();
        """
}
