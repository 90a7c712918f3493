#!/usr/bin/perl
# Mail::SPF peer for the spfdoctor benchmark (Debian libmail-spf-perl).
#
#   mailspf_driver.pl SERVER PORT < QUERIES > RESULTS
#
# Reads `IP SENDER HELO` lines (SENDER `<>` is the null sender: checked as
# postmaster@HELO in the mfrom scope, RFC 7208 section 2.4), evaluates each
# with one Mail::SPF::Server one after the other and prints one result a line.
# DNS: a Net::DNS::Resolver pointed at SERVER:PORT (Mail::SPF's default
# resolver settings otherwise; no cache).
use strict;
use warnings;
use Mail::SPF;
use Net::DNS::Resolver;

my ($server, $port) = @ARGV;
my $resolver = Net::DNS::Resolver->new(
    nameservers => [$server], port => $port, recurse => 0,
    retrans => 1, retry => 2, tcp_timeout => 5, udp_timeout => 5);
my $spf = Mail::SPF::Server->new(dns_resolver => $resolver);
$| = 0;
while (my $line = <STDIN>) {
    next if $line =~ /^#/;
    my ($ip, $sender, $helo) = split ' ', $line;
    next unless defined $helo;
    my $identity = $sender eq '<>' ? "postmaster\@$helo" : $sender;
    my $res;
    eval {
        my $req = Mail::SPF::Request->new(
            versions => [1], scope => 'mfrom', identity => $identity,
            ip_address => $ip, helo_identity => $helo);
        $res = $spf->process($req)->code;
        1;
    } or do { my $e = $@ || 'unknown'; $e =~ s/\s+/ /g; $res = "error:" . substr($e, 0, 60); };
    print "$res\n";
}
