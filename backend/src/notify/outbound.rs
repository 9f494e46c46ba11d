//! Which addresses outbound requests (webhooks, Slack-compatible hooks, and every later outbound
//! URL) may reach. Anyone who can save a contact method chooses a URL, so without this a
//! responder could make the server call its own admin endpoints, the database's host or a cloud
//! metadata service (169.254.169.254) and read the answer back from the delivery log.
//!
//! The check runs where the connection is made: the client's resolver hands the connector only
//! the addresses that pass, so a name that resolves to a public address when saved and to
//! 127.0.0.1 when used (DNS rebinding) is still refused. URLs with an address in place of a name
//! never reach a resolver and are checked before the request. Redirects are not followed.
//!
//! Admins allow internal targets (a Mattermost on the LAN) with `TOCSIN_OUTBOUND_ALLOW`:
//! comma-separated CIDRs, addresses or host names.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use ipnet::IpNet;

/// What an admin allowed beyond the public internet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundAllow {
    nets: Vec<IpNet>,
    hosts: Vec<String>,
}

impl OutboundAllow {
    /// Parses `10.0.0.0/8, 192.168.1.20, chat.internal`; the error names the entry it could not read.
    pub fn parse(text: &str) -> Result<OutboundAllow, String> {
        let mut allow = OutboundAllow::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                allow.nets.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                allow.nets.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                allow.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!("'{entry}' is neither a CIDR, an address nor a host name"));
            }
        }
        Ok(allow)
    }

    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.nets.iter().any(|n| n.contains(&ip))
    }

    /// Checks a URL whose host is an address (names are checked when resolved).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), String> {
        let Some(host) = url.host_str() else {
            return Err("the URL has no host".to_owned());
        };
        // The URL parser has already turned every spelling of an IPv4 address (0x7f000001,
        // 2130706433) into dotted form; IPv6 comes in brackets.
        let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
            return Ok(());
        };
        if self.ip_allowed(ip) { Ok(()) } else { Err(refusal(&ip.to_string())) }
    }
}

fn refusal(what: &str) -> String {
    format!(
        "{what} is an internal address; outbound requests reach it only if an admin allows it (TOCSIN_OUTBOUND_ALLOW)"
    )
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
        })
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (CGNAT), documentation, benchmarking, multicast, reserved or unspecified, in either family,
/// including IPv4 written inside IPv6 (mapped, compatible, NAT64).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // "this network"
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254)               // link-local: cloud metadata lives here
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay anycast
        || (a == 192 && b == 168)               // private
        || (a == 198 && (18..20).contains(&b))  // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || s[0..6] == [0, 0, 0, 0, 0, 0]        // IPv4-compatible (deprecated) and the rest of ::/96
        || (s[0] & 0xfe00) == 0xfc00            // unique local
        || (s[0] & 0xffc0) == 0xfe80            // link-local
        || (s[0] & 0xffc0) == 0xfec0            // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00            // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)   // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard
        || s[0] == 0x2002) // 6to4: routes to whatever IPv4 it embeds
}

/// The HTTP client's resolver: resolves as the system does, then keeps only the addresses the
/// policy allows, so the connector never sees any other.
pub struct GuardedResolver {
    pub allow: Arc<OutboundAllow>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if allow.host_allowed(&host) {
                return Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs);
            }
            let kept: Vec<SocketAddr> = found.iter().copied().filter(|a| allow.ip_allowed(a.ip())).collect();
            if kept.is_empty() {
                let shown = found.first().map_or_else(|| host.clone(), |a| format!("{host} ({})", a.ip()));
                return Err(Box::new(Refused(refusal(&shown))) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges_of_both_families_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "::127.0.0.1",
            "2002:7f00:1::",
            "ff02::1",
        ] {
            assert!(!is_public(ip(internal)), "{internal} counted as public");
        }
        for public in ["1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]
        {
            assert!(is_public(ip(public)), "{public} counted as internal");
        }
    }

    #[test]
    fn admins_allow_ranges_addresses_and_names() {
        let allow = OutboundAllow::parse("10.0.0.0/8, 192.168.1.20 ,chat.internal,").unwrap();
        assert!(allow.ip_allowed(ip("10.9.9.9")));
        assert!(allow.ip_allowed(ip("192.168.1.20")));
        assert!(!allow.ip_allowed(ip("192.168.1.21")));
        assert!(!allow.ip_allowed(ip("127.0.0.1")));
        assert!(allow.host_allowed("Chat.Internal."));
        assert!(!allow.host_allowed("chat.internal.evil.com"));
        let err = OutboundAllow::parse("10.0.0.0/8, http://x").unwrap_err();
        assert!(err.contains("'http://x'"), "{err}");
    }

    #[test]
    fn urls_naming_an_address_are_checked_before_any_request() {
        let allow = OutboundAllow::default();
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(allow.check_url(&url("http://169.254.169.254/latest/meta-data")).is_err());
        assert!(allow.check_url(&url("http://[::1]:8080/x")).is_err());
        assert!(allow.check_url(&url("http://0x7f000001/")).is_err(), "a hex address is still an address");
        assert!(allow.check_url(&url("https://8.8.8.8/")).is_ok());
        assert!(
            allow.check_url(&url("https://hooks.slack.com/x")).is_ok(),
            "names are checked when resolved"
        );
    }

    #[tokio::test]
    async fn names_resolving_to_internal_addresses_are_refused_at_resolution() {
        use reqwest::dns::Resolve;
        let refuse = GuardedResolver { allow: Arc::new(OutboundAllow::default()) };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let err = refuse.resolve(name).await.err().expect("localhost refused").to_string();
        assert!(err.contains("internal address") && err.contains("TOCSIN_OUTBOUND_ALLOW"), "{err}");
        let allow = GuardedResolver { allow: Arc::new(OutboundAllow::parse("localhost").unwrap()) };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(allow.resolve(name).await.is_ok());
    }
}
