# Builds the Windows installer packaging\dist\folio-<version>-setup.exe: the PyInstaller
# bundle, a copy of Tesseract (with English) beside it, and the NSIS script folio.nsi.
#
#   pwsh packaging\windows\build_installer.ps1 [-Version 0.1.0] [-TesseractDir DIR] [-Python python]
#
# Needs Python with Folio and PyInstaller installed, NSIS (makensis on PATH or in its usual
# folder) and Tesseract (default: the UB Mannheim build in C:\Program Files\Tesseract-OCR).
param(
    [string]$Version = "",
    [string]$TesseractDir = "C:\Program Files\Tesseract-OCR",
    [string]$Python = "python"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Fail([string]$message) {
    Write-Error "build_installer.ps1: $message"
    exit 1
}

$root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $root
$dist = Join-Path $root "packaging\dist"

if (-not $Version) {
    $Version = & $Python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
    if ($LASTEXITCODE) { Fail "could not read the version from pyproject.toml with $Python." }
}

Write-Host "== Building the bundle with PyInstaller"
& $Python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath $dist --workpath (Join-Path $root "packaging\build\pyinstaller") packaging\folio.spec
if ($LASTEXITCODE) { Fail "PyInstaller failed (output above)." }

Write-Host "== Copying Tesseract from $TesseractDir"
$tesseractExe = Join-Path $TesseractDir "tesseract.exe"
if (-not (Test-Path $tesseractExe)) {
    Fail "no tesseract.exe in $TesseractDir; install Tesseract (choco install tesseract) or pass -TesseractDir."
}
$tess = Join-Path $dist "tesseract"
if (Test-Path $tess) { Remove-Item -Recurse -Force $tess }
New-Item -ItemType Directory -Force (Join-Path $tess "tessdata") | Out-Null
Copy-Item $tesseractExe $tess
Copy-Item (Join-Path $TesseractDir "*.dll") $tess
foreach ($lang in "eng", "osd") {
    $data = Join-Path $TesseractDir "tessdata\$lang.traineddata"
    if (-not (Test-Path $data)) { Fail "$data is missing; Tesseract was installed without $lang." }
    Copy-Item $data (Join-Path $tess "tessdata")
}
& $tesseractExe --version | Select-Object -First 1

Write-Host "== Compiling the installer"
$makensis = (Get-Command makensis -ErrorAction SilentlyContinue)
if ($makensis) { $makensis = $makensis.Source }
elseif (Test-Path "${env:ProgramFiles(x86)}\NSIS\makensis.exe") { $makensis = "${env:ProgramFiles(x86)}\NSIS\makensis.exe" }
else { Fail "makensis is missing; install NSIS (choco install nsis)." }
$setup = Join-Path $dist "folio-$Version-setup.exe"
& $makensis /V2 /WX "/DVERSION=$Version" "/DBUNDLE_DIR=$(Join-Path $dist 'folio')" `
    "/DTESSERACT_DIR=$tess" "/DOUTFILE=$setup" packaging\windows\folio.nsi
if ($LASTEXITCODE) { Fail "makensis failed (output above)." }
Write-Host "Built $setup ($([math]::Round((Get-Item $setup).Length / 1MB)) MB)"
