// A real OpenID Connect provider for the inbox's browser test (panva's certified `oidc-provider`),
// with its development sign-in pages: any password signs in the account named. Prints its issuer
// URL when it listens. Arguments: port, the client's secret, the redirect URI.
import Provider from 'oidc-provider';

const [port, clientSecret, redirectUri] = process.argv.slice(2);
const accounts = {
  'olga@acme.com': { email: 'olga@acme.com', email_verified: true, name: 'Olga Olsen', keel_tenants: ['acme'], keel_roles: ['support-lead'] },
};
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{ client_id: 'keel-inbox', client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'keel_tenants', 'keel_roles'] },
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    const account = accounts[id];
    return account ? { accountId: id, claims: async () => ({ sub: id, ...account }) } : undefined;
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a test cookie key for the provider'] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc provider listening at ${issuer}`));
