// The first admin the server under test is started with (see playwright.config.ts).
export const admin = { email: 'admin@example.com', password: 'e2e admin password 1' };
