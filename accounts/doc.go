// Package accounts owns people and their access: users with roles and
// initiatives, argon2id passwords, sessions and API tokens (stored hashed in
// MongoDB so any instance can check them), login and registration rate limits,
// the audit log, personal-data export and anonymisation (Ley 1581 de 2012), and
// the Principal with the policy functions every handler asks before acting.
package accounts
