//! The client's address, as per-address limits need it. Behind a reverse proxy every request
//! comes from the proxy, so limits per address would throttle everyone together; the proxy
//! names the client in `X-Forwarded-For`, which is believed only from the proxies an admin
//! listed in `TOCSIN_TRUSTED_PROXIES` (anyone else could write any address there).

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The nearest address in the chain that is not a trusted proxy: `X-Forwarded-For` is read
/// from the right (each proxy appends the address it was reached from), skipping trusted ones.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let mut client = peer;
    for ip in chain.into_iter().rev() {
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // Direct: the header is whatever the client wrote, and ignored.
        assert_eq!(client_ip(ip("203.0.113.7"), &headers("1.2.3.4"), &trusted), ip("203.0.113.7"));
        // Through the proxy: the address it appended.
        assert_eq!(client_ip(ip("10.0.0.5"), &headers("203.0.113.7"), &trusted), ip("203.0.113.7"));
        // A client that wrote its own header first cannot hide behind it.
        assert_eq!(client_ip(ip("10.0.0.5"), &headers("1.2.3.4, 203.0.113.7"), &trusted), ip("203.0.113.7"));
        // Two proxies deep.
        assert_eq!(client_ip(ip("10.0.0.5"), &headers("203.0.113.7, 10.0.0.9"), &trusted), ip("203.0.113.7"));
        // No proxies configured: the peer, always.
        assert_eq!(client_ip(ip("10.0.0.5"), &headers("203.0.113.7"), &[]), ip("10.0.0.5"));
    }
}
