// The most used passwords from public breach corpora, plus the long variants people reach for
// when told "at least 12 characters". Compared case-insensitively. Short entries stay listed so
// the check does not depend on the length rule running first.
const COMMON_PASSWORDS = new Set(
  `
123456 123456789 12345678 12345 1234567 1234567890 123123 111111 000000 654321 666666 121212
112233 123321 7777777 555555 987654321 1q2w3e4r 1q2w3e4r5t 1qaz2wsx qwerty qwerty123 qwertyuiop
qwerty1 asdfgh asdfghjkl zxcvbnm 1qazxsw2 zaq12wsx password password1 password12 password123
passw0rd p@ssw0rd p@ssword admin admin123 admin1234 admin12345 administrator root toor letmein
welcome welcome1 welcome123 monkey dragon master sunshine princess football baseball iloveyou
trustno1 superman batman shadow michael jennifer hunter2 abc123 abcd1234 abc12345 secret
changeme default guest login test test123 test1234 user user123 qazwsx starwars whatever
freedom charlie donald jordan23 harley ranger hockey killer soccer buster pepper ginger
cheese computer internet samsung google mustang access flower hello hello123 loveme
123456789012 1234567890123 12345678901234 123456123456 111111111111 000000000000 123123123123
112233445566 987654321098 098765432109 qwertyuiop12 qwertyuiop123 qwertyuiop1234 1234qwerasdf
1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qaz2wsx3edc 1qaz2wsx3edc4rfv zaq1zaq1zaq1 qwertyqwerty
asdfghjkl123 asdfasdfasdf zxcvbnm12345 qazwsxedcrfv qazwsxedc123 password1234 password12345
password123456 password1234567 passwordpassword password!123 password123! password2023
password2024 password2025 password2026 passw0rd1234 p@ssw0rd1234 p@ssw0rd123! p@$$w0rd1234
administrator1 administrator123 admin123456 admin1234567 admin12345678 adminadmin123 adminadmin
adminpassword administrator! admin@123456 changeme123 changeme1234 changemenow letmein12345
letmein123456 welcome12345 welcome123456 welcometoday iloveyou1234 iloveyou12345 iloveyou123456
sunshine1234 princess1234 football1234 football12345 baseball1234 superman1234 starwars1234
trustno11234 qwerty123456 qwerty1234567 qwerty12345678 qwertyqwerty1 abcdefghijkl abcdef123456
abcdefg12345 abc123456789 abcd12345678 a1b2c3d4e5f6 aaaaaaaaaaaa 1111aaaa2222 11111111111a
mypassword123 mypassword1234 mysecretpassword secretpassword secret123456 topsecret123
letmeinplease opensesame123 correcthorsebatterystaple correcthorse batterystaple
iloveyoubaby loveyouforever monkey123456 dragon123456 master123456 shadow123456 michael12345
football123456 baseball123456 liverpool123 chelsea123456 arsenal12345 manchester123
backup123456 backuppassword borgbackup123 borgbackup1234 borgpassword backup12345678
server123456 linux1234567 ubuntu123456 raspberry1234 raspberrypi12 docker123456 postgres1234
postgres12345 postgrespassword temporal1234 root12345678 rootpassword toortoortoor
summer2023 summer2024 summer2025 winter2023 winter2024 winter2025 spring2024 autumn2024
january2024 december2024 summer2024! winter2024! company12345 company123456 welcome2024
welcome2025 password01 password001 passw0rd123 1password1234 q1w2e3r4t5y6 q1w2e3r4t5y6u7
1a2b3c4d5e6f zxcvbnmasdfg poiuytrewq12 mnbvcxz12345 asdf1234asdf qwer1234qwer 1234abcd1234
iloveyou2024 ihateyou1234 fuckyou12345 whatever1234 nothing12345 computer1234 internet1234
samsung12345 google123456 facebook1234 facebook12345 linkedin1234 twitter12345 instagram123
youtube12345 netflix12345 minecraft123 pokemon12345 naruto123456 blink182blink
`
    .split(/\s+/)
    .filter((entry) => entry !== ''),
);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

export const COMMON_PASSWORD_COUNT = COMMON_PASSWORDS.size;
