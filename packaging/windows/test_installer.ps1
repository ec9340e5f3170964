# Tests the Windows installer on a Windows machine (CI): silent per-user install, the
# installed folio-cli.exe reads a PDF with its bundled Tesseract, "Open with" is
# registered, then a silent uninstall leaves neither files nor registry keys behind.
#
#   pwsh packaging\windows\test_installer.ps1 -Setup packaging\dist\folio-0.1.0-setup.exe -Pdf FILE
param(
    [Parameter(Mandatory = $true)][string]$Setup,
    [Parameter(Mandatory = $true)][string]$Pdf
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Fail([string]$message) {
    Write-Error "test_installer.ps1: FAILED: $message"
    exit 1
}

$dir = Join-Path $env:LOCALAPPDATA "Programs\Folio"
Write-Host "== Installing $Setup silently"
$p = Start-Process -FilePath $Setup -ArgumentList "/S" -Wait -PassThru
if ($p.ExitCode -ne 0) { Fail "the installer exited with $($p.ExitCode)." }
foreach ($path in "folio.exe", "folio-cli.exe", "uninstall.exe", "tesseract\tesseract.exe", "tesseract\tessdata\eng.traineddata") {
    if (-not (Test-Path (Join-Path $dir $path))) { Fail "$path is not in $dir." }
}
if (-not (Test-Path "$env:APPDATA\Microsoft\Windows\Start Menu\Programs\Folio.lnk")) { Fail "no Start menu entry." }
$progids = Get-ItemProperty "HKCU:\Software\Classes\.pdf\OpenWithProgids" -ErrorAction SilentlyContinue
if (-not $progids -or -not ($progids.PSObject.Properties.Name -contains "Folio.Document")) {
    Fail "Folio is not in Open with for .pdf."
}

Write-Host "== Reading $Pdf with the installed Folio (worker processes, QtPdf, bundled Tesseract)"
$env:FOLIO_LIBRARY = Join-Path $env:RUNNER_TEMP "folio-library"
$out = & (Join-Path $dir "folio-cli.exe") extract $Pdf --ocr always --pages 1 --json
if ($LASTEXITCODE) { Fail "folio-cli extract exited with $LASTEXITCODE." }
if (-not ($out -match '"method": "ocr"')) { Fail "no OCR text from the bundled Tesseract: $out" }
Write-Host "page 1 read by OCR"

Write-Host "== Uninstalling silently"
Start-Process -FilePath (Join-Path $dir "uninstall.exe") -ArgumentList "/S" -Wait
# The uninstaller copies itself away and finishes in the background: give it a moment.
for ($i = 0; $i -lt 60 -and (Test-Path $dir); $i++) { Start-Sleep -Milliseconds 500 }
if (Test-Path $dir) { Fail "$dir is still there after uninstalling: $(Get-ChildItem -Recurse $dir | Out-String)" }
foreach ($key in "HKCU:\Software\Classes\Folio.Document", "HKCU:\Software\Folio",
    "HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\Folio",
    "HKCU:\Software\Classes\Applications\folio.exe") {
    if (Test-Path $key) { Fail "$key is still in the registry." }
}
if (Test-Path "$env:APPDATA\Microsoft\Windows\Start Menu\Programs\Folio.lnk") { Fail "the Start menu entry is still there." }
Write-Host "== Passed"
